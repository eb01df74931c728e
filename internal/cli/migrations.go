package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/silverback-gw/silverback/internal/gateway"
)

const migrationsUsage = `Usage: %[1]s migrations COMMAND [OPTIONS]

Manage database schema migrations.

With database = postgres these commands manage Kong's schema and its
bookkeeping (schema_meta), as Kong's do. The embedded SQLite database
(database = sqlite, the default) creates its tables itself and DB-less mode
(database = off) has none, so for them every command reports the database
up to date; reset erases the SQLite database.

The available commands are:
  bootstrap                         Bootstrap the database and run all
                                    migrations.

  up                                Run any new migrations.

  finish                            Finish running any pending migrations after
                                    'up'.

  list                              List executed migrations.

  reset                             Reset the database. The ` + "`reset`" + ` command erases all of the data in Kong's database and deletes all of the schemas.

  status                            Dump the database migration status in JSON format

Options:
 -y,--yes                           Assume "yes" to prompts and run
                                    non-interactively.

 -q,--quiet                         Suppress all output.

 -f,--force                         Run migrations even if database reports
                                    as already executed.

 --db-timeout     (optional number) Timeout, in seconds, for all database
                                    operations.


 --lock-timeout   (default 60)      Timeout, in seconds, for nodes waiting on
                                    the leader node to finish running
                                    migrations.

 -c,--conf        (optional string) Configuration file.

 -p,--prefix      (optional string)   Override prefix directory.

`

// migrationsOptions are the flags every migrations command takes. force,
// the timeouts and the lock only matter to PostgreSQL; they are accepted.
type migrationsOptions struct {
	yes, quiet, force      bool
	dbTimeout, lockTimeout number
	confPath, prefix       string
}

// migrationsCommand is Kong's `migrations`: PostgreSQL's schema, and
// nothing to migrate for the embedded and DB-less stores.
func (a *app) migrationsCommand() *cobra.Command {
	var o migrationsOptions
	sub := func(name string, run func(*app, string, *migrationsOptions) error) *cobra.Command {
		return &cobra.Command{
			Use:  name,
			Long: fmt.Sprintf(migrationsUsage, a.name),
			RunE: func(*cobra.Command, []string) error { return a.migrate(name, &o, run) },
		}
	}
	c := parentCommand("migrations", fmt.Sprintf(migrationsUsage, a.name),
		sub("bootstrap", logs("Database already bootstrapped")),
		sub("up", logs("Database is already up-to-date")),
		sub("finish", logs("No pending migrations to finish")),
		sub("list", logs("Database is already up-to-date")),
		sub("status", func(a *app, _ string, _ *migrationsOptions) error {
			fmt.Fprintln(a.stdout, `{"needs_bootstrap":false}`)
			return nil
		}),
		sub("reset", (*app).resetDatabase),
	)
	flags := c.PersistentFlags()
	flags.BoolVarP(&o.yes, "yes", "y", false, "assume yes to prompts")
	flags.BoolVarP(&o.quiet, "quiet", "q", false, "suppress all output")
	flags.BoolVarP(&o.force, "force", "f", false, "run migrations even if already executed")
	flags.Var(&o.dbTimeout, "db-timeout", "timeout, in seconds, for all database operations")
	numberFlag(flags, &o.lockTimeout, "lock-timeout", "", 60, "timeout, in seconds, waiting on the leader node")
	flags.StringVarP(&o.confPath, "conf", "c", "", "configuration file")
	flags.StringVarP(&o.prefix, "prefix", "p", "", "override prefix directory")
	return c
}

// logs is a migrations command that only says msg.
func logs(msg string) func(*app, string, *migrationsOptions) error {
	return func(a *app, _ string, _ *migrationsOptions) error {
		a.log.Info("%s", msg)
		return nil
	}
}

// migrate loads the configuration and runs the command for its database.
func (a *app) migrate(name string, o *migrationsOptions, run func(*app, string, *migrationsOptions) error) error {
	if o.quiet {
		defer a.log.quiet()()
	}
	cfg, err := a.loadConf(newConfSource(o.confPath, o.prefix))
	if err != nil {
		return err
	}
	if cfg.Database == "postgres" {
		return a.migratePostgres(name, cfg, o)
	}
	return run(a, cfg.Prefix, o)
}

// resetDatabase erases the embedded SQLite database of the prefix (DB-less
// mode has nothing to erase), asking first unless --yes.
func (a *app) resetDatabase(prefix string, o *migrationsOptions) error {
	if nodePID(prefix) != 0 {
		return fmt.Errorf("Kong is running in %s; stop it before resetting its database", prefix)
	}
	db := filepath.Join(prefix, gateway.SQLiteFile)
	_, err := os.Stat(db)
	exists := err == nil
	if !o.yes {
		if !isTerminal(a.stdin) {
			return errors.New("not a tty: invoke 'reset' non-interactively with the --yes flag")
		}
		if exists && !confirm(a.stdin, a.stdout, "Are you sure? This operation is irreversible.") {
			a.log.Info("cancelled")
			return nil
		}
	}
	if !exists {
		a.log.Info("Database not bootstrapped, nothing to reset")
		return nil
	}
	a.log.Info("Resetting database...")
	// SQLite keeps its write-ahead log and rollback journal beside the file.
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		if err := os.Remove(db + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	a.log.Info("Database successfully reset")
	return nil
}

// isTerminal reports whether r is a terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// confirm asks q up to three times, as Kong's confirm_prompt does, and
// reports whether the answer was yes.
func confirm(in io.Reader, out io.Writer, q string) bool {
	answers := map[string]bool{"y": true, "Y": true, "yes": true, "YES": true, "n": false, "N": false, "no": false, "NO": false}
	sc := bufio.NewScanner(in)
	for range 3 {
		fmt.Fprintf(out, "> %s [y/n] ", q)
		if !sc.Scan() {
			return false
		}
		if yes, ok := answers[sc.Text()]; ok {
			return yes
		}
	}
	return false
}
