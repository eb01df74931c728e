package memory_test

import (
	"context"
	"errors"
	"testing"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/memory"
)

func TestSmoke(t *testing.T) {
	c := entities.NewCatalog(nil)
	db := store.New(memory.New(c), c)
	ctx := context.Background()
	var id string
	err := db.Update(ctx, func(tx *store.Txn) error {
		r, err := tx.Insert(ctx, "services", map[string]any{"name": "a", "host": "example.com"})
		if err != nil {
			return err
		}
		id = r["id"].(string)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx *store.Txn) error {
		if _, err := tx.Insert(ctx, "services", map[string]any{"name": "b", "host": "example.com"}); err != nil {
			return err
		}
		_, err := tx.Insert(ctx, "services", map[string]any{"name": "a", "host": "example.com"})
		return err
	})
	if e, ok := store.AsError(err); !ok || e.Code != store.CodeUniqueViolation {
		t.Fatalf("err = %v", err)
	}
	err = db.View(ctx, func(tx *store.Txn) error {
		p, err := tx.Page(ctx, "services", store.Query{})
		if err != nil {
			return err
		}
		if len(p.Rows) != 1 || p.Rows[0]["id"] != id {
			return errors.New("unexpected page")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
