// Package pgtest gives tests their own PostgreSQL database on the server
// scripts/test-services.sh keeps at 127.0.0.1:5432 (trust authentication
// for the postgres superuser). An unreachable server fails the test.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/silverback-gw/silverback/internal/conf"
)

// Server is the PostgreSQL server the tests use.
var Server = conf.PG{Host: "127.0.0.1", Port: 5432, User: "postgres", Database: "postgres", Timeout: 5 * time.Second}

// NewDatabase creates an empty database with a random name, dropped when
// the test ends, and returns its settings.
func NewDatabase(t testing.TB) conf.PG {
	t.Helper()
	ctx := context.Background()
	admin := Connect(t, Server)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "silverback_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	admin.Close(ctx)
	t.Cleanup(func() {
		admin := Connect(t, Server)
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	cfg := Server
	cfg.Database = name
	return cfg
}

// Connect opens a connection with cfg's settings.
func Connect(t testing.TB, cfg conf.PG) *pgx.Conn {
	t.Helper()
	dsn := fmt.Sprintf("host=%s port=%d user=%s dbname=%s connect_timeout=5", cfg.Host, cfg.Port, cfg.User, cfg.Database)
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("PostgreSQL is not reachable at %s:%d as %s (run scripts/test-services.sh): %v",
			cfg.Host, cfg.Port, cfg.User, err)
	}
	return conn
}
