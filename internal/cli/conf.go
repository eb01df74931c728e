package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/silverback-gw/silverback/internal/conf"
)

// confSource is where a command reads its configuration: a kong.conf file
// ("" for Kong's default paths), the KONG_* variables, and overrides from
// command-line flags such as --prefix, which win over both.
type confSource struct {
	path      string
	overrides map[string]string
}

// newConfSource reads the file at path with prefix, when not "", overriding
// the prefix property (Kong's conf_loader(args.conf, {prefix = args.prefix})).
func newConfSource(path, prefix string) confSource {
	src := confSource{path: path, overrides: map[string]string{}}
	if prefix != "" {
		src.overrides["prefix"] = prefix
	}
	return src
}

// loadConf loads the configuration from src and the app's environment,
// logging Kong's warnings. An invalid configuration is reported by its first
// problem, as Kong's commands other than `check` report it.
func (a *app) loadConf(src confSource) (*conf.Config, error) {
	cfg, err := conf.LoadOverrides(src.path, a.environ, src.overrides)
	if err != nil {
		return nil, firstConfError(err)
	}
	if cfg.Path != "" {
		a.log.Verbose("reading config file at %s", cfg.Path)
	} else {
		a.log.Verbose("no config file, skip loading")
	}
	for _, w := range cfg.Warnings {
		a.log.Warn("%s", w)
	}
	a.log.Verbose("prefix in use: %s", cfg.Prefix)
	return cfg, nil
}

// firstConfError is the first problem of a conf.Errors, else err.
func firstConfError(err error) error {
	var errs conf.Errors
	if errors.As(err, &errs) && len(errs) > 0 {
		return errs[0]
	}
	return err
}

// existingPrefix finds the prefix of a running node as Kong's stop, quit and
// health do: from --prefix, else from the default configuration (read
// silently); the directory must exist.
func (a *app) existingPrefix(prefix string) (string, error) {
	restore := a.log.quiet()
	cfg, err := a.loadConf(newConfSource("", prefix))
	restore()
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(cfg.Prefix); err != nil {
		return "", fmt.Errorf("no such prefix: %s", cfg.Prefix)
	}
	return cfg.Prefix, nil
}

// nodeConf loads the configuration a node started in prefix wrote to
// <prefix>/.kong_env.
func nodeConf(prefix string) (*conf.Config, error) {
	cfg, err := conf.LoadEnv(prefix)
	if err != nil {
		return nil, firstConfError(err)
	}
	return cfg, nil
}
