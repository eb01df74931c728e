package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/postgres"
	"github.com/silverback-gw/silverback/internal/testutil/pgkong"
)

// TestPostgres: sessions rows map onto Kong's PostgreSQL table, with the
// writes storage "kong" makes: insert with a ttl, a shorter ttl for a
// replaced session, delete on logout.
func TestPostgres(t *testing.T) {
	ctx := context.Background()
	cfg := pgkong.Bootstrapped(t)
	set, err := plugin.Load([]string{"session"})
	if err != nil {
		t.Fatal(err)
	}
	cat := entities.NewCatalog(set, set.Entities()...)
	backend, err := postgres.Open(ctx, cfg, cat)
	if err != nil {
		t.Fatal(err)
	}
	db := store.New(backend, cat)
	t.Cleanup(func() { _ = db.Close() })

	now := time.Now().Unix()
	var id string
	err = db.Update(ctx, func(tx *store.Txn) error {
		row, err := tx.Insert(ctx, "sessions", map[string]any{"session_id": "sid-1", "data": `["payload"]`, "expires": now + 3600, "ttl": int64(3600)})
		if err == nil {
			id = row["id"].(string)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func() store.Row {
		var row store.Row
		err := db.View(ctx, func(tx *store.Txn) error {
			var err error
			row, err = tx.GetBy(ctx, "sessions", "session_id", "sid-1")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return row
	}
	row := get()
	if row == nil || row["data"] != `["payload"]` || toInt(row["expires"]) != now+3600 || toInt(row["ttl"]) < 3590 {
		t.Fatalf("stored %v", row)
	}
	err = db.Update(ctx, func(tx *store.Txn) error {
		_, err := tx.Update(ctx, "sessions", id, map[string]any{"expires": now + 10, "ttl": int64(10)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if row := get(); row == nil || toInt(row["expires"]) != now+10 || toInt(row["ttl"]) > 10 || row["data"] != `["payload"]` {
		t.Fatalf("stale %v", row)
	}
	err = db.Update(ctx, func(tx *store.Txn) error {
		_, err := tx.Delete(ctx, "sessions", id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if row := get(); row != nil {
		t.Errorf("deleted row still there: %v", row)
	}
}
