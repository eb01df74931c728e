// Package pgkong gives tests a PostgreSQL database holding Kong's schema:
// a fresh database (pgtest) on which Kong's migrations were bootstrapped.
// It is apart from pgtest, which the postgres package's own tests use.
package pgkong

import (
	"context"
	"testing"

	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/store/postgres"
	"github.com/silverback-gw/silverback/internal/testutil/pgtest"
)

// Bootstrapped returns a new database on which Kong's migrations ran
// (`migrations bootstrap`, every bundled plugin's included).
func Bootstrapped(t testing.TB) conf.PG {
	t.Helper()
	db := pgtest.NewDatabase(t)
	m, err := postgres.NewMigrator(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Bootstrap(context.Background()); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	return db
}
