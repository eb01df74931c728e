package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/silverback-gw/silverback/internal/conf"
)

// Kong's messages for the migration commands, returned as errors so that the
// CLI prints them as they are. Some are notices rather than failures (see
// IsNotice): Kong prints them and exits 0.
var (
	ErrNeedsBootstrap = errors.New("Database needs bootstrapping or is older than Kong 1.0.\n\n" +
		"To start a new installation from scratch, run 'kong migrations bootstrap'.\n\n" +
		"To migrate from a version older than 1.0, migrated to Kong 1.5.0 first. \n" +
		"If you still have 'apis' entities, you can convert them to Routes and Services\n" +
		"using the 'kong migrations migrate-apis' command in Kong 1.5.0.\n\n")
	ErrNewMigrations       = errors.New("New migrations available; run 'kong migrations up' to proceed")
	ErrAlreadyBootstrapped = errors.New("Database already bootstrapped")
	ErrUpToDate            = errors.New("Database is already up-to-date")
	ErrNothingToFinish     = errors.New("No pending migrations to finish")
	ErrNothingToReset      = errors.New("Database not bootstrapped, nothing to reset")
	ErrPendingMigrations   = errors.New("Database has pending migrations; run 'kong migrations finish'")
	ErrLocked              = errors.New("aborted: another node is performing database changes")
)

// IsNotice reports whether err is one of Kong's informational outcomes:
// nothing was to be done (ErrAlreadyBootstrapped, ErrUpToDate,
// ErrNothingToFinish, ErrNothingToReset). Kong prints these and exits 0.
func IsNotice(err error) bool {
	return errors.Is(err, ErrAlreadyBootstrapped) || errors.Is(err, ErrUpToDate) ||
		errors.Is(err, ErrNothingToFinish) || errors.Is(err, ErrNothingToReset)
}

// errCannotRun is Kong's answer to up and finish on a database that needs
// bootstrapping.
var errCannotRun = fmt.Errorf("Cannot run migrations: %w", ErrNeedsBootstrap)

// migrationsLock is Kong's key of the migrations row in the locks table.
const migrationsLock = "migrations"

// lockTTL is how long Kong's locks row is honoured if its holder dies.
const lockTTL = 60

// advisoryKey is the pg_advisory_lock key that serialises Silverback nodes
// changing the schema, before Kong's locks table exists too.
const advisoryKey = 0x6b6f6e67 // "kong"

// Migrator runs Kong's migration commands on one database.
type Migrator struct {
	pool  *pgxpool.Pool
	owner string      // this process's id in the locks table
	subs  []subsystem // core and the loaded plugins' subsystems
}

// NewMigrator connects to the database of cfg; it needs no bootstrapped
// schema. plugins are the node's loaded plugins (Kong's `plugins`
// setting, expanded), whose migrations it runs besides core's; nil means
// every bundled plugin. Close it when done.
func NewMigrator(ctx context.Context, cfg conf.PG, plugins []string) (*Migrator, error) {
	pool, err := newPool(ctx, cfg, 2)
	if err != nil {
		return nil, err
	}
	return &Migrator{pool: pool, owner: uuid.NewString(), subs: selectSubsystems(plugins)}, nil
}

// Close closes the connections.
func (m *Migrator) Close() { m.pool.Close() }

// Bootstrap creates the schema, Kong's bookkeeping tables and every
// subsystem's tables, recording all migrations as executed. A database
// already bootstrapped gives ErrAlreadyBootstrapped.
func (m *Migrator) Bootstrap(ctx context.Context) error {
	return m.locked(ctx, func(conn *pgxpool.Conn) error {
		st, err := state(ctx, conn, m.subs)
		if err != nil {
			return err
		}
		if !st.NeedsBootstrap {
			return ErrAlreadyBootstrapped
		}
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, createSchemaSQL); err != nil {
				return fmt.Errorf("postgres: create schema: %w", err)
			}
			if _, err := tx.Exec(ctx, bookkeepingDDL); err != nil {
				return fmt.Errorf("postgres: bootstrap: %w", err)
			}
			for _, s := range m.subs {
				if err := runSubsystem(ctx, tx, s); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// createSchemaSQL creates the first schema of the search path when it is
// missing (pg_schema names one).
const createSchemaSQL = `DO $$
DECLARE s text := (SELECT setting FROM pg_settings WHERE name = 'search_path');
BEGIN
  s := trim(both '"' from trim(split_part(s, ',', 1)));
  IF s <> '' AND s <> '$user' THEN EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', s); END IF;
END $$`

// runSubsystem creates a subsystem's tables and records its migrations.
func runSubsystem(ctx context.Context, tx pgx.Tx, s subsystem) error {
	if sql := s.setupSQL(); sql != "" {
		if _, err := tx.Exec(ctx, sql); err != nil {
			return fmt.Errorf("postgres: subsystem %s: %w", s.name, err)
		}
	}
	var pending []string
	if s.teardown {
		pending = []string{}
	}
	_, err := tx.Exec(ctx, `INSERT INTO schema_meta (key, subsystem, last_executed, executed, pending)
		VALUES ('schema_meta', $1, $2, $3, $4)
		ON CONFLICT (key, subsystem) DO UPDATE SET last_executed = EXCLUDED.last_executed,
		executed = EXCLUDED.executed, pending = EXCLUDED.pending`,
		s.name, s.migrations[len(s.migrations)-1], s.migrations, pending)
	if err != nil {
		return fmt.Errorf("postgres: record subsystem %s: %w", s.name, err)
	}
	return nil
}

// Up runs the new migrations. Silverback can run a subsystem that has no
// migration recorded at all (a plugin Kong did not load at bootstrap); a
// subsystem part-way through Kong's history must be upgraded by Kong.
func (m *Migrator) Up(ctx context.Context) error {
	return m.locked(ctx, func(conn *pgxpool.Conn) error {
		st, err := state(ctx, conn, m.subs)
		if err != nil {
			return err
		}
		switch {
		case st.NeedsBootstrap:
			return errCannotRun
		case len(st.Pending) > 0:
			return ErrPendingMigrations
		case len(st.New) == 0:
			return ErrUpToDate
		}
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			for _, n := range st.New {
				s := subsystemNamed(n.Subsystem)
				if len(n.Migrations) != len(s.migrations) {
					return fmt.Errorf("postgres: subsystem %s: migrations %v need Kong's own 'kong migrations up'",
						s.name, n.Migrations)
				}
				if err := runSubsystem(ctx, tx, s); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// Finish would run the teardown of pending migrations. Silverback never
// leaves any pending; those a Kong node left need Kong's teardown code.
func (m *Migrator) Finish(ctx context.Context) error {
	return m.locked(ctx, func(conn *pgxpool.Conn) error {
		st, err := state(ctx, conn, m.subs)
		if err != nil {
			return err
		}
		switch {
		case st.NeedsBootstrap:
			return errCannotRun
		case len(st.Pending) == 0:
			return ErrNothingToFinish
		}
		return fmt.Errorf("postgres: pending migrations %v need Kong's own 'kong migrations finish'", st.Pending)
	})
}

// Reset drops the schema with everything in it and creates it empty; a
// user who may not drop the schema gets its tables, sequences and Kong's
// functions dropped instead, as Kong does.
func (m *Migrator) Reset(ctx context.Context) error {
	return m.locked(ctx, func(conn *pgxpool.Conn) error {
		st, err := state(ctx, conn, m.subs)
		if err != nil {
			return err
		}
		if st.NeedsBootstrap {
			return ErrNothingToReset
		}
		_, err = conn.Exec(ctx, resetSchemaSQL)
		if pgCode(err) == "42501" { // insufficient_privilege
			_, err = conn.Exec(ctx, dropTablesSQL)
		}
		if err != nil {
			return fmt.Errorf("postgres: reset: %w", err)
		}
		return nil
	})
}

// resetSchemaSQL drops and recreates the current schema.
const resetSchemaSQL = `DO $$
DECLARE s text := current_schema();
BEGIN
  EXECUTE format('DROP SCHEMA %I CASCADE', s);
  EXECUTE format('CREATE SCHEMA %I', s);
END $$`

// dropTablesSQL drops what bootstrap created in the current schema.
const dropTablesSQL = `DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename);
  END LOOP;
  DROP FUNCTION IF EXISTS sync_tags() CASCADE;
  DROP FUNCTION IF EXISTS batch_delete_expired_rows() CASCADE;
END $$`

// State returns the migration state, what `kong migrations status` prints.
func (m *Migrator) State(ctx context.Context) (*State, error) {
	conn, err := m.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	defer conn.Release()
	return state(ctx, conn, m.subs)
}

// locked runs fn on one connection holding the migrations lock: a session
// advisory lock that Silverback nodes wait for (as long as ctx allows: the
// CLI's --lock-timeout), then Kong's locks row, which a Kong node may hold
// (ErrLocked).
func (m *Migrator) locked(ctx context.Context, fn func(*pgxpool.Conn) error) (err error) {
	conn, err := m.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, advisoryKey); err != nil {
		return fmt.Errorf("postgres: migrations lock: %w", err)
	}
	defer func() {
		// The unlock uses a fresh context: ctx may be done already.
		if _, uerr := conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, advisoryKey); uerr != nil {
			conn.Conn().PgConn().Close(context.Background()) // closing the session releases the lock
		}
	}()
	got, err := m.lockRow(ctx, conn)
	if err != nil {
		return err
	}
	if got {
		defer func() {
			_, uerr := conn.Exec(context.Background(),
				`DELETE FROM locks WHERE key = $1 AND owner = $2`, migrationsLock, m.owner)
			if uerr != nil && err == nil && !isUndefinedTable(uerr) {
				err = fmt.Errorf("postgres: release migrations lock: %w", uerr)
			}
		}()
	}
	return fn(conn)
}

// lockRow takes Kong's migrations row in the locks table when the table
// exists; it reports whether it inserted the row.
func (m *Migrator) lockRow(ctx context.Context, conn *pgxpool.Conn) (bool, error) {
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('locks') IS NOT NULL`).Scan(&exists); err != nil {
		return false, fmt.Errorf("postgres: %w", err)
	}
	if !exists {
		return false, nil
	}
	var inserted bool
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM locks WHERE ttl < CURRENT_TIMESTAMP AT TIME ZONE 'UTC'`); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO locks (key, owner, ttl)
			VALUES ($1, $2, (CURRENT_TIMESTAMP AT TIME ZONE 'UTC') + make_interval(secs => $3))
			ON CONFLICT DO NOTHING`, migrationsLock, m.owner, lockTTL)
		inserted = tag.RowsAffected() == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("postgres: migrations lock: %w", err)
	}
	if !inserted {
		return false, ErrLocked
	}
	return true, nil
}

func subsystemNamed(name string) subsystem {
	i := slices.IndexFunc(subsystems, func(s subsystem) bool { return s.name == name })
	return subsystems[i]
}
