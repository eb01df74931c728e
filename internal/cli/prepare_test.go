package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/conf"
)

func TestPrepare(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	prefix := filepath.Join(dir, "servroot")
	confPath := writeConf(t, dir, "log_level = info", "admin_access_log = off")

	status, stdout, stderr := runCLI(t, []string{"KONG_PROXY_LISTEN=127.0.0.1:9000"}, "prepare", "-c", confPath, "-p", prefix, "--nginx-conf", "custom.template")
	if status != 0 {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
	if want := "prefix directory " + prefix + " not found, trying to create it\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	if !strings.Contains(stderr, "[warn] --nginx-conf custom.template ignored") {
		t.Errorf("stderr = %q, want a note that --nginx-conf is ignored", stderr)
	}
	for _, p := range []string{"logs", "pids"} {
		if fi, err := os.Stat(filepath.Join(prefix, p)); err != nil || !fi.IsDir() {
			t.Errorf("%s: %v, want a directory", p, err)
		}
	}
	for _, p := range []string{"logs/error.log", "logs/access.log"} {
		if _, err := os.Stat(filepath.Join(prefix, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(prefix, "logs/admin_access.log")); err == nil {
		t.Error("logs/admin_access.log was created, but admin_access_log is off")
	}
	if _, err := os.Stat(pidFile(prefix)); err == nil {
		t.Error("prepare wrote a pid file")
	}
	cfg, err := conf.LoadEnv(prefix)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LogLevel != "info" || cfg.ProxyListen[0].Port != 9000 {
		t.Errorf(".kong_env: log_level %q, proxy_listen %v; want the file's and the environment's values", cfg.LogLevel, cfg.ProxyListen)
	}

	// A second run finds the prefix and says nothing.
	if status, stdout, _ := runCLI(t, nil, "prepare", "-c", confPath, "-p", prefix); status != 0 || stdout != "" {
		t.Errorf("second prepare: status %d, stdout %q", status, stdout)
	}
}

func TestPrepareErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)

	status, _, stderr := runCLI(t, nil, "prepare", "-p", file)
	if want := "Error: could not prepare Kong prefix at " + file + ": " + file + " is not a directory\n"; status != 1 || !strings.HasPrefix(stderr, want) {
		t.Errorf("status %d, stderr %q; want 1, %q", status, stderr, want)
	}

	status, _, stderr = runCLI(t, []string{"KONG_LOG_LEVEL=loud"}, "prepare", "-p", dir)
	if want := "Error: log_level has an invalid value: 'loud'"; status != 1 || !strings.HasPrefix(stderr, want) {
		t.Errorf("status %d, stderr %q; want 1, %q", status, stderr, want)
	}

	status, _, stderr = runCLI(t, nil, "prepare", "-c", filepath.Join(dir, "none.conf"))
	if want := "Error: no file at: " + filepath.Join(dir, "none.conf") + "\n"; status != 1 || !strings.HasPrefix(stderr, want) {
		t.Errorf("status %d, stderr %q; want 1, %q", status, stderr, want)
	}
}
