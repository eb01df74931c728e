package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
)

func openFile(t *testing.T, path string) *Backend {
	t.Helper()
	b, err := Open(path, entities.NewCatalog(nil))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReopen: rows persist across Open, and reopening an existing file
// keeps its tables.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "s.db")
	b := openFile(t, path)
	row := store.Row{"id": "00000000-0000-4000-8000-000000000001", "name": "a", "port": int64(80), "ratio": 1.0}
	if err := b.Update(ctx, func(tx store.Tx) error { return tx.Insert(ctx, "services", row, "") }); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = openFile(t, path)
	defer b.Close()
	var got store.Row
	err := b.View(ctx, func(tx store.Tx) (err error) {
		got, err = tx.GetBy(ctx, "services", "name", "a")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(row, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestPragmas: WAL journal and a busy timeout on every connection.
func TestPragmas(t *testing.T) {
	b := openFile(t, filepath.Join(t.TempDir(), "s.db"))
	defer b.Close()
	for name, db := range map[string]*sql.DB{"write": b.write, "read": b.read} {
		var mode string
		var timeout int
		if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("PRAGMA busy_timeout").Scan(&timeout); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || timeout != busyTimeoutMs {
			t.Errorf("%s: journal_mode %s, busy_timeout %d", name, mode, timeout)
		}
	}
}

// TestMigrateAddsColumns: a table from an older layout, lacking an indexed
// column, gets it at Open, filled from the stored rows and indexed.
func TestMigrateAddsColumns(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	db, err := sql.Open("sqlite", dsn(path, "_txlock=immediate"))
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{
		`CREATE TABLE routes (id TEXT PRIMARY KEY, data TEXT NOT NULL, cache_key, tags TEXT)`,
		`INSERT INTO routes (id, data) VALUES ('r1', '{"id":"r1","name":"one","service":{"id":"s1"}}')`,
		`INSERT INTO routes (id, data) VALUES ('r2', '{"id":"r2","name":null,"service":null}')`,
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	b := openFile(t, path)
	defer b.Close()
	var routes []string
	err = b.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetBy(ctx, "routes", "name", "one"); err != nil {
			return err
		}
		p, err := tx.Page(ctx, "routes", store.Query{ForeignField: "service", ForeignID: "s1"})
		for _, r := range p.Rows {
			routes = append(routes, r["id"].(string))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"r1"}, routes); diff != "" {
		t.Errorf("routes of s1 (-want +got):\n%s", diff)
	}
	err = b.Update(ctx, func(tx store.Tx) error {
		return tx.Insert(ctx, "routes", store.Row{"id": "r3", "name": "one"}, "")
	})
	if uv, ok := err.(*store.UniqueViolation); !ok || uv.Field != "name" {
		t.Errorf("insert of a taken name: %v, want a UniqueViolation on name", err)
	}
}

// TestNewerLayoutRefused: a file written by a later release is not opened.
func TestNewerLayoutRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	b := openFile(t, path)
	if _, err := b.write.Exec(`UPDATE schema_meta SET value='99' WHERE key='version'`); err != nil {
		t.Fatal(err)
	}
	b.Close()
	_, err := Open(path, entities.NewCatalog(nil))
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open = %v, want a layout version error", err)
	}
}

func TestOpenRefusesNonFiles(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db?mode=memory"} {
		if b, err := Open(path, entities.NewCatalog(nil)); err == nil {
			b.Close()
			t.Errorf("Open(%q) succeeded", path)
		}
	}
}

func TestUniqueColumn(t *testing.T) {
	tests := []struct{ msg, want string }{
		{"constraint failed: UNIQUE constraint failed: services.name (2067)", "name"},
		{"UNIQUE constraint failed: plugins.cache_key", "cache_key"},
		{"UNIQUE constraint failed: t.a, t.b", "a"},
		{"something else", ""},
	}
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			if got := uniqueColumn(tt.msg); got != tt.want {
				t.Errorf("uniqueColumn = %q, want %q", got, tt.want)
			}
		})
	}
}
