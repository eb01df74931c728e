package postgres

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/store/storetest"
)

func newMigrator(t *testing.T, cfg conf.PG) *Migrator {
	t.Helper()
	m, err := NewMigrator(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// TestMigrationCommands runs the commands in sequence on one database, as an
// operator would, checking Kong's answer to each.
func TestMigrationCommands(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	m := newMigrator(t, newDatabase(t))
	steps := []struct {
		name string
		run  func() error
		want error
	}{
		{"up before bootstrap", func() error { return m.Up(ctx) }, ErrNeedsBootstrap},
		{"finish before bootstrap", func() error { return m.Finish(ctx) }, ErrNeedsBootstrap},
		{"reset before bootstrap", func() error { return m.Reset(ctx) }, ErrNothingToReset},
		{"bootstrap", func() error { return m.Bootstrap(ctx) }, nil},
		{"bootstrap again", func() error { return m.Bootstrap(ctx) }, ErrAlreadyBootstrapped},
		{"up", func() error { return m.Up(ctx) }, ErrUpToDate},
		{"finish", func() error { return m.Finish(ctx) }, ErrNothingToFinish},
		{"reset", func() error { return m.Reset(ctx) }, nil},
		{"reset again", func() error { return m.Reset(ctx) }, ErrNothingToReset},
		{"bootstrap after reset", func() error { return m.Bootstrap(ctx) }, nil},
	}
	for _, s := range steps {
		if err := s.run(); !errors.Is(err, s.want) {
			t.Fatalf("%s: %v, want %v", s.name, err, s.want)
		}
	}
}

// TestState: a fresh database needs bootstrapping; after bootstrap every
// migration is executed; removing a subsystem's row makes its migrations
// new, and Up runs them; dropping the last one of core makes it new.
func TestState(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cfg := newDatabase(t)
	m := newMigrator(t, cfg)
	st, err := m.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&State{NeedsBootstrap: true}, st); diff != "" || st.Check() != ErrNeedsBootstrap {
		t.Fatalf("before bootstrap (-want +got):\n%s", diff)
	}
	if err := m.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err = m.State(ctx); err != nil {
		t.Fatal(err)
	}
	if len(st.Executed) != len(subsystems) || st.Pending != nil || st.New != nil || st.Missing != nil || st.Check() != nil {
		t.Fatalf("after bootstrap: %+v", st)
	}
	if got := st.Executed[0]; got.Subsystem != "core" || got.Namespace != "kong.db.migrations.core" ||
		got.Migrations[len(got.Migrations)-1] != "024_380_to_390" {
		t.Errorf("core: %+v", got)
	}

	conn := connect(t, cfg)
	defer conn.Close(ctx)
	sql := []string{
		`DELETE FROM schema_meta WHERE subsystem = 'session'`,
		`DROP TABLE sessions`,
		`UPDATE schema_meta SET last_executed = '023_360_to_370',
			executed = array_remove(executed, '024_380_to_390') WHERE subsystem = 'core'`,
		`UPDATE schema_meta SET executed = array_remove(executed, '000_base_acl') WHERE subsystem = 'acl'`,
		`UPDATE schema_meta SET pending = '{002_130_to_140}', executed = array_remove(executed, '002_130_to_140')
			WHERE subsystem = 'jwt'`,
	}
	for _, s := range sql {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if st, err = m.State(ctx); err != nil {
		t.Fatal(err)
	}
	wantNew := MigrationList{
		{"core", "kong.db.migrations.core", []string{"024_380_to_390"}},
		{"session", "kong.plugins.session.migrations", []string{"000_base_session", "001_add_ttl_index", "002_320_to_330"}},
	}
	if diff := cmp.Diff(wantNew, st.New); diff != "" {
		t.Errorf("new (-want +got):\n%s", diff)
	}
	wantMissing := MigrationList{{"acl", "kong.plugins.acl.migrations", []string{"000_base_acl"}}}
	if diff := cmp.Diff(wantMissing, st.Missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	wantPending := MigrationList{{"jwt", "kong.plugins.jwt.migrations", []string{"002_130_to_140"}}}
	if diff := cmp.Diff(wantPending, st.Pending); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff)
	}
	if st.Check() != ErrNewMigrations {
		t.Errorf("Check = %v", st.Check())
	}
	if err := m.Up(ctx); !errors.Is(err, ErrPendingMigrations) {
		t.Errorf("up with pending migrations: %v", err)
	}
	if err := m.Finish(ctx); err == nil || errors.Is(err, ErrNothingToFinish) {
		t.Errorf("finish of Kong's pending migration: %v, want an error", err)
	}

	// With the pending and core gaps repaired, Up creates the session subsystem.
	if _, err := conn.Exec(ctx, `DELETE FROM schema_meta WHERE subsystem IN ('jwt', 'core', 'acl')`); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"core", "acl", "jwt"} {
		if _, err := conn.Exec(ctx, `INSERT INTO schema_meta (key, subsystem, last_executed, executed, pending)
			VALUES ('schema_meta', $1, $2, $3, '{}')`, name, subsystemNamed(name).migrations[len(subsystemNamed(name).migrations)-1],
			subsystemNamed(name).migrations); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('sessions') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		t.Errorf("sessions after up: %v %v", exists, err)
	}
	if st, err = m.State(ctx); err != nil || !st.UpToDate() || st.Pending != nil {
		t.Errorf("after up: %+v %v", st, err)
	}
}

// TestConcurrentBootstrap: of nodes bootstrapping at once, one does it and
// the others wait for it and report Kong's message.
func TestConcurrentBootstrap(t *testing.T) {
	t.Parallel()
	cfg := newDatabase(t)
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		m := newMigrator(t, cfg)
		wg.Go(func() { errs[i] = m.Bootstrap(t.Context()) })
	}
	wg.Wait()
	var ok int
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrAlreadyBootstrapped):
			t.Errorf("bootstrap: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d bootstraps succeeded, want 1", ok)
	}
	st, err := newMigrator(t, cfg).State(t.Context())
	if err != nil || !st.UpToDate() {
		t.Errorf("state: %+v, %v", st, err)
	}
}

// TestKongLockRow: a Kong node holding the migrations row makes the
// commands abort with Kong's message; an expired row is taken over.
func TestKongLockRow(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cfg := newDatabase(t)
	m := newMigrator(t, cfg)
	if err := m.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	conn := connect(t, cfg)
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `INSERT INTO locks VALUES ('migrations', 'kong-node', now() + interval '1 minute')`); err != nil {
		t.Fatal(err)
	}
	if err := m.Up(ctx); !errors.Is(err, ErrLocked) {
		t.Errorf("up while Kong holds the lock: %v", err)
	}
	if _, err := conn.Exec(ctx, `UPDATE locks SET ttl = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if err := m.Up(ctx); !errors.Is(err, ErrUpToDate) {
		t.Errorf("up after the lock expired: %v", err)
	}
	var rows int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM locks`).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("locks rows after up: %d %v", rows, err)
	}
}

// TestOpenNeedsBootstrap: Open refuses a database without Kong's schema.
func TestOpenNeedsBootstrap(t *testing.T) {
	t.Parallel()
	_, err := Open(t.Context(), newDatabase(t), nil)
	if !errors.Is(err, ErrNeedsBootstrap) {
		t.Errorf("Open = %v, want ErrNeedsBootstrap", err)
	}
}

// TestResetWithoutSchemaPrivilege: a user who owns the tables but not the
// schema resets by dropping the tables.
func TestResetWithoutSchemaPrivilege(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cfg := newDatabase(t)
	role := "role_" + cfg.Database
	admin := connect(t, cfg)
	defer admin.Close(ctx)
	for _, sql := range []string{
		"CREATE ROLE " + role + " LOGIN",
		"GRANT CREATE, USAGE ON SCHEMA public TO " + role,
	} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		admin := connect(t, cfg)
		defer admin.Close(context.Background())
		for _, sql := range []string{"DROP OWNED BY " + role, "DROP ROLE " + role} {
			if _, err := admin.Exec(context.Background(), sql); err != nil {
				t.Errorf("%s: %v", sql, err)
			}
		}
	})
	user := cfg
	user.User = role
	m := newMigrator(t, user)
	if err := m.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := m.State(ctx)
	if err != nil || !st.NeedsBootstrap {
		t.Fatalf("state after reset: %+v, %v", st, err)
	}
	var tables int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("tables after reset: %d, %v", tables, err)
	}
}

// TestLoadedPlugins: a node loading some plugins bootstraps core and their
// subsystems only; a node loading more then sees the others' migrations as
// new, and up runs them.
func TestLoadedPlugins(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cfg := newDatabase(t)
	few, err := NewMigrator(ctx, cfg, []string{"key-auth", "cors", "my-custom"})
	if err != nil {
		t.Fatal(err)
	}
	defer few.Close()
	if err := few.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := few.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var executed []string
	for _, m := range st.Executed {
		executed = append(executed, m.Subsystem)
	}
	if diff := cmp.Diff([]string{"core", "key-auth"}, executed); diff != "" || !st.UpToDate() {
		t.Errorf("executed subsystems (-want +got):\n%s", diff)
	}
	if b, err := Open(ctx, cfg, storetest.Catalog(), WithPlugins([]string{"key-auth"})); err != nil {
		t.Errorf("open with the bootstrapped plugins: %v", err)
	} else {
		b.Close()
	}
	if _, err := Open(ctx, cfg, storetest.Catalog()); !errors.Is(err, ErrNewMigrations) {
		t.Errorf("open with every plugin: %v, want ErrNewMigrations", err)
	}
	all := newMigrator(t, cfg)
	if err := all.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err := all.State(ctx); err != nil || !st.UpToDate() || len(st.Executed) != len(subsystems) {
		t.Errorf("after up with every plugin: %+v, %v", st, err)
	}
}
