package postgres

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/testutil/pgtest"
)

func newDatabase(t testing.TB) conf.PG { return pgtest.NewDatabase(t) }

func connect(t testing.TB, cfg conf.PG) *pgx.Conn { return pgtest.Connect(t, cfg) }

// bootstrap runs Bootstrap on cfg's database.
func bootstrap(t testing.TB, cfg conf.PG) {
	t.Helper()
	m, err := NewMigrator(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Bootstrap(context.Background()); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
}

// openNew opens a backend on a new, bootstrapped database.
func openNew(t testing.TB, c *entities.Catalog) *Backend {
	t.Helper()
	cfg := newDatabase(t)
	bootstrap(t, cfg)
	b, err := Open(context.Background(), cfg, c)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return b
}
