package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/entities"
)

// testServer is the PostgreSQL the tests use (scripts/test-services.sh
// starts it): trust authentication for the postgres superuser.
var testServer = conf.PG{Host: "127.0.0.1", Port: 5432, User: "postgres", Database: "postgres", Timeout: 5 * time.Second}

// newDatabase creates an empty database with a random name, dropped when
// the test ends, and returns its settings. An unreachable server fails
// the test.
func newDatabase(t testing.TB) conf.PG {
	t.Helper()
	ctx := context.Background()
	admin := connect(t, testServer)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "silverback_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	admin.Close(ctx)
	t.Cleanup(func() {
		admin := connect(t, testServer)
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	cfg := testServer
	cfg.Database = name
	return cfg
}

func connect(t testing.TB, cfg conf.PG) *pgx.Conn {
	t.Helper()
	dsn := fmt.Sprintf("host=%s port=%d user=%s dbname=%s connect_timeout=5", cfg.Host, cfg.Port, cfg.User, cfg.Database)
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("PostgreSQL is not reachable at %s:%d as %s (run scripts/test-services.sh): %v",
			cfg.Host, cfg.Port, cfg.User, err)
	}
	return conn
}

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
