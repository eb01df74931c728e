package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/gateway"
	"github.com/silverback-gw/silverback/internal/store/postgres"
)

// Exit statuses of `migrations list` (kong/cmd/migrations.lua).
const (
	exitNeedsBootstrap = 3
	exitPending        = 4
	exitNew            = 5
)

// migratePostgres runs a migrations command against the PostgreSQL
// database cfg names, with Kong's messages and exit statuses.
func (a *app) migratePostgres(name string, cfg *conf.Config, o *migrationsOptions) error {
	ctx := context.Background()
	if o.dbTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(float64(o.dbTimeout)*float64(time.Second)))
		defer cancel()
	}
	m, err := postgres.NewMigrator(ctx, cfg.PG, gateway.MigrationPlugins(cfg))
	if err != nil {
		return err
	}
	defer m.Close()
	switch name {
	case "bootstrap":
		a.log.Info("Bootstrapping database...")
		err = m.Bootstrap(ctx)
	case "up":
		err = m.Up(ctx)
	case "finish":
		err = m.Finish(ctx)
	case "reset":
		if !o.yes {
			if !isTerminal(a.stdin) {
				return errors.New("not a tty: invoke 'reset' non-interactively with the --yes flag")
			}
			if !confirm(a.stdin, a.stdout, "Are you sure? This operation is irreversible.") {
				a.log.Info("cancelled")
				return nil
			}
		}
		a.log.Info("Resetting database...")
		if err = m.Reset(ctx); err == nil {
			a.log.Info("Database successfully reset")
		}
	case "list":
		return a.listMigrations(ctx, m)
	case "status":
		st, err := m.State(ctx)
		if err != nil {
			return err
		}
		b, err := json.Marshal(st)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, string(b))
		return nil
	}
	switch {
	case err == nil:
		if name == "bootstrap" || name == "up" || name == "finish" {
			a.log.Info("Database is up-to-date")
		}
		return nil
	case postgres.IsNotice(err): // Kong prints these and exits 0
		a.log.Info("%s", err.Error())
		return nil
	}
	return err
}

// listMigrations prints the executed, pending and new migrations and exits
// 3 (needs bootstrap), 4 (pending) or 5 (new) as Kong's `migrations list`.
func (a *app) listMigrations(ctx context.Context, m *postgres.Migrator) error {
	st, err := m.State(ctx)
	if err != nil {
		return err
	}
	if st.NeedsBootstrap {
		a.log.Info("Database needs bootstrapping or is older than Kong 1.0")
		return exitStatus(exitNeedsBootstrap)
	}
	if len(st.Executed) > 0 {
		a.log.Info("Executed migrations:\n%s", st.Executed)
	}
	if len(st.Missing) > 0 {
		a.log.Warn("Database is missing some migrations:\n%s", st.Missing)
	}
	if len(st.Pending) > 0 {
		a.log.Info("\nDatabase has pending migrations:\n%s", st.Pending)
	}
	if len(st.New) > 0 {
		a.log.Info("\nNew migrations available:\n%s", st.New)
	}
	switch {
	case len(st.Pending) > 0:
		return exitStatus(exitPending)
	case len(st.New) > 0:
		return exitStatus(exitNew)
	}
	return nil
}
