package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/silverback-gw/silverback/internal/conf"
)

// preparePrefix lays out the prefix as Kong's prefix_handler does before
// starting: the directory itself, logs/ and pids/, the error and access log
// files, and .kong_env with the effective configuration (read back by stop,
// quit and health). There is no nginx.conf to render.
func (a *app) preparePrefix(cfg *conf.Config) error {
	a.log.Verbose("preparing nginx prefix directory at %s", cfg.Prefix)
	fi, err := os.Stat(cfg.Prefix)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		a.log.Info("prefix directory %s not found, trying to create it", cfg.Prefix)
		if err := os.MkdirAll(cfg.Prefix, 0o755); err != nil {
			return err
		}
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", cfg.Prefix)
	}
	for _, dir := range []string{"logs", "pids"} {
		if err := os.MkdirAll(filepath.Join(cfg.Prefix, dir), 0o755); err != nil {
			return err
		}
	}
	for _, path := range []string{cfg.Logs.ProxyError, cfg.Logs.ProxyAccess.Path, cfg.Logs.AdminAccess.Path} {
		if err := touch(path); err != nil {
			return err
		}
	}
	return conf.WriteEnv(cfg.Prefix, cfg)
}

// touch creates an empty log file at path unless it exists; "" (off) and
// syslog: targets are left alone.
func touch(path string) error {
	if path == "" || strings.HasPrefix(path, "syslog:") {
		return nil
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return os.WriteFile(path, nil, 0o644)
}

// writePID records this process as the node running in prefix.
func writePID(prefix string) error {
	return os.WriteFile(pidFile(prefix), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
}

// removePID removes the pid file if it still names this process (a node
// started after a forced stop may own it).
func removePID(prefix string) {
	if b, err := os.ReadFile(pidFile(prefix)); err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(os.Getpid()) {
		os.Remove(pidFile(prefix))
	}
}
