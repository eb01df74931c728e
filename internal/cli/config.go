package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/declarative"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/gateway"
)

const configUsage = `Usage: %[1]s config COMMAND [OPTIONS]

Use declarative configuration files with Kong.

The available commands are:
  init [<file>]                       Generate an example config file to
                                      get you started. If a filename
                                      is not given, ./kong.yml is used
                                      by default.

  db_import <file>                    Import a declarative config file into
                                      the Kong database.

  db_export [<file>]                  Export the Kong database into a
                                      declarative config file. If a filename
                                      is not given, ./kong.yml is used
                                      by default.

  parse <file>                        Parse a declarative config file (check
                                      its syntax) but do not load it into Kong.

Options:
 -c,--conf        (optional string)   Configuration file.
 -p,--prefix      (optional string)   Override prefix directory.
`

// defaultDeclarativeFile is where init writes and db_export exports by default.
const defaultDeclarativeFile = "./kong.yml"

// configCommand is Kong's `config`: declarative configuration files. Its
// messages are Kong's, capitals and punctuation included.
func (a *app) configCommand() *cobra.Command {
	var confPath, prefix string
	usage := fmt.Sprintf(configUsage, a.name)
	sub := func(name string, run func(ctx context.Context, cfg *conf.Config, args []string) error) *cobra.Command {
		return &cobra.Command{
			Use:  name,
			Long: usage,
			RunE: func(c *cobra.Command, args []string) error {
				cfg, err := a.configConf(confPath, prefix)
				if err != nil {
					return err
				}
				return run(c.Context(), cfg, args)
			},
		}
	}
	initCmd := &cobra.Command{
		Use:  "init",
		Long: usage,
		RunE: func(_ *cobra.Command, args []string) error { return configInit(args) },
	}
	c := parentCommand("config", usage,
		initCmd,
		sub("db_import", func(ctx context.Context, cfg *conf.Config, args []string) error {
			return a.configImport(ctx, cfg, args, true)
		}),
		sub("db_export", a.configExport),
		sub("parse", func(ctx context.Context, cfg *conf.Config, args []string) error {
			return a.configImport(ctx, cfg, args, false)
		}),
	)
	c.PersistentFlags().StringVarP(&confPath, "conf", "c", "", "configuration file")
	c.PersistentFlags().StringVarP(&prefix, "prefix", "p", "", "override prefix directory")
	return c
}

// configConf is the configuration the config commands use: the node's
// .kong_env when one was started in the prefix, else the one given.
func (a *app) configConf(confPath, prefix string) (*conf.Config, error) {
	restore := a.log.quiet()
	cfg, err := a.loadConf(newConfSource(confPath, prefix))
	restore()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(cfg.Prefix, conf.EnvFile)); err != nil {
		return cfg, nil
	}
	return nodeConf(cfg.Prefix)
}

// configInit writes the example declarative configuration, never over an
// existing file.
func configInit(args []string) error {
	path, err := filepath.Abs(argOr(args, defaultDeclarativeFile))
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s already exists.\nWill not overwrite it.", path)
	}
	return os.WriteFile(path, []byte(declarative.ExampleConfig), 0o644)
}

// configImport parses a declarative file and, for db_import, writes its
// entities into the database.
func (a *app) configImport(ctx context.Context, cfg *conf.Config, args []string, write bool) error {
	if write && cfg.Database == "off" {
		return errors.New("'kong config db_import' only works with a database.\n" +
			"When using database=off, reload your declarative configuration\n" +
			"using the /config endpoint.")
	}
	if len(args) == 0 {
		return errors.New("expected a declarative configuration file; see `kong config --help`")
	}
	path, err := filepath.Abs(args[0])
	if err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("Failed parsing:\n%s", luaIOError(path, err))
	}
	if !write {
		catalog, _, err := gateway.Catalog(cfg)
		if err != nil {
			return err
		}
		if _, err := parseDeclarative(catalog, data); err != nil {
			return err
		}
		a.log.Info("parse successful")
		return nil
	}
	db, err := gateway.OpenDB(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	dc, err := parseDeclarative(db.Catalog(), data)
	if err != nil {
		return err
	}
	a.log.Info("parse successful, beginning import")
	if err := declarative.Import(ctx, db, dc, importProgress(a.log, dc.Len())); err != nil {
		return fmt.Errorf("Failed importing:\n%w", err)
	}
	a.log.Info("import successful")
	return nil
}

// progressThreshold is the size of import from which db_import reports its
// progress; smaller ones print exactly what Kong prints.
const progressThreshold = 1000

// importProgress reports a large import every tenth of the way.
func importProgress(log *cliLog, total int) func(done, total int) {
	if total < progressThreshold {
		return nil
	}
	next := total / 10
	return func(done, total int) {
		if done >= next || done == total {
			log.Info("imported %d of %d entities (%d%%)", done, total, done*100/total)
			next = done + total/10
		}
	}
}

// parseDeclarative parses data, wording errors as `kong config parse`.
func parseDeclarative(catalog *entities.Catalog, data []byte) (*declarative.Config, error) {
	dc, err := declarative.Parse(catalog, data)
	if err != nil {
		var derr *declarative.Error
		if errors.As(err, &derr) {
			return nil, fmt.Errorf("Failed parsing:\n%s", derr.Pretty())
		}
		return nil, fmt.Errorf("Failed parsing:\n%w", err)
	}
	return dc, nil
}

// configExport writes the database as a declarative file, never over an
// existing one.
func (a *app) configExport(ctx context.Context, cfg *conf.Config, args []string) error {
	if cfg.Database == "off" {
		return errors.New("'kong config db_export' only works with a database.")
	}
	path, err := filepath.Abs(argOr(args, defaultDeclarativeFile))
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s already exists. Will not overwrite it.", path)
	}
	db, err := gateway.OpenDB(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	out, err := declarative.Export(ctx, db)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(out); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// argOr is the first positional argument, else def.
func argOr(args []string, def string) string {
	if len(args) > 0 {
		return args[0]
	}
	return def
}

// luaIOError words a file error as Lua's io library does, which Kong
// prints: "<path>: No such file or directory".
func luaIOError(path string, err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	msg := err.Error()
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return path + ": " + msg
}
