package storetest

import (
	"errors"
	"testing"

	"github.com/silverback-gw/silverback/internal/store"
)

// testBackend exercises the Backend below the DAO, whose checks would
// otherwise hide it: the backend itself keeps ids, unique fields and cache
// keys unique, reports missing rows, and refuses writes in View.
func testBackend(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	b := h.db.Backend()
	const id1, id2 = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
	row := func(id string, name any) store.Row {
		return store.Row{"id": id, "name": name, "host": "example.com", "port": int64(80), "tags": nil}
	}
	err := b.Update(h.ctx, func(tx store.Tx) error {
		if err := tx.Insert(h.ctx, "services", row(id1, "a"), ""); err != nil {
			return err
		}
		return tx.Insert(h.ctx, "plugins", store.Row{"id": id1, "name": "p"}, "plugins:p:::::")
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		op        func(tx store.Tx) error
		wantField string // "": want ErrNotFound
	}{
		{"insert same id", func(tx store.Tx) error {
			return tx.Insert(h.ctx, "services", row(id1, "b"), "")
		}, "id"},
		{"insert same name", func(tx store.Tx) error {
			return tx.Insert(h.ctx, "services", row(id2, "a"), "")
		}, "name"},
		{"insert same cache key", func(tx store.Tx) error {
			return tx.Insert(h.ctx, "plugins", store.Row{"id": id2, "name": "p"}, "plugins:p:::::")
		}, "cache_key"},
		{"replace onto a taken name", func(tx store.Tx) error {
			if err := tx.Insert(h.ctx, "services", row(id2, "b"), ""); err != nil {
				return err
			}
			return tx.Replace(h.ctx, "services", row(id2, "a"), "")
		}, "name"},
		{"replace missing", func(tx store.Tx) error {
			return tx.Replace(h.ctx, "services", row(id2, "b"), "")
		}, ""},
		{"get missing", func(tx store.Tx) error {
			_, err := tx.Get(h.ctx, "services", id2)
			return err
		}, ""},
		{"get by missing name", func(tx store.Tx) error {
			_, err := tx.GetBy(h.ctx, "services", "name", "zzz")
			return err
		}, ""},
		{"get by missing cache key", func(tx store.Tx) error {
			_, err := tx.GetBy(h.ctx, "plugins", "cache_key", "plugins:q:::::")
			return err
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := b.Update(h.ctx, tt.op)
			if tt.wantField == "" {
				if !errors.Is(err, store.ErrNotFound) {
					t.Errorf("error = %v, want ErrNotFound", err)
				}
				return
			}
			var uv *store.UniqueViolation
			if !errors.As(err, &uv) || uv.Field != tt.wantField {
				t.Errorf("error = %v, want a UniqueViolation on %s", err, tt.wantField)
			}
		})
	}
	t.Run("null unique values", func(t *testing.T) {
		err := b.Update(h.ctx, func(tx store.Tx) error {
			if err := tx.Insert(h.ctx, "services", row(id2, nil), ""); err != nil {
				return err
			}
			return tx.Insert(h.ctx, "services", row("00000000-0000-4000-8000-000000000003", nil), "")
		})
		if err != nil {
			t.Error(err)
		}
	})
	t.Run("view is read-only", func(t *testing.T) {
		err := b.View(h.ctx, func(tx store.Tx) error {
			return tx.Delete(h.ctx, "services", id1)
		})
		if err == nil {
			t.Error("delete in View succeeded")
		}
		if h.get("services", id1) == nil {
			t.Error("delete in View removed the row")
		}
	})
}
