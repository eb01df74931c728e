package memory_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/memory"
	"github.com/silverback-gw/silverback/internal/store/storetest"
)

// codecRow has a value of every kind of the data model, in fields the
// entity declares and in fields it does not.
func codecRow() store.Row {
	return store.Row{
		"id":                 "6f6a2c7e-1b0c-4c57-9a55-0e1b3c6a7f10",
		"name":               "svc",
		"host":               "",
		"port":               int64(-8080),
		"retries":            int64(1) << 60,
		"enabled":            true,
		"read_timeout":       2.0,
		"write_timeout":      0.5,
		"tags":               []any{"a", "b"},
		"tls_verify":         false,
		"client_certificate": map[string]any{"id": "2c1d"},
		"ca_certificates":    nil,
		"unknown_null":       nil,
		"unknown_int":        int64(7),
		"unknown_str":        "x\u00e9\"\\\n",
		"unknown_ref":        map[string]any{"id": "r", "name": "n"},
		"unknown_nested": map[string]any{
			"set":    []any{"x", "y"},
			"record": map[string]any{"a": int64(1), "b": 1.5, "c": nil, "d": []any{}},
			"map":    map[string]any{"k": map[string]any{}},
		},
		"unknown_other_id": "6f6a2c7e-1b0c-4c57-9a55-0e1b3c6a7f10",
	}
}

// TestRowsRoundTrip: a row reads back equal, type for type, to the row
// written, and a row handed out belongs to the reader.
func TestRowsRoundTrip(t *testing.T) {
	ctx := context.Background()
	b := memory.New(storetest.Catalog())
	want := codecRow()
	if err := b.Update(ctx, func(tx store.Tx) error { return tx.Insert(ctx, "services", codecRow(), "") }); err != nil {
		t.Fatal(err)
	}
	get := func() store.Row {
		t.Helper()
		var row store.Row
		err := b.View(ctx, func(tx store.Tx) error {
			var err error
			row, err = tx.Get(ctx, "services", want["id"].(string))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return row
	}
	got := get()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("read back (-want +got):\n%s", diff)
	}
	got["name"] = "changed"
	got["tags"].([]any)[0] = "changed"
	got["client_certificate"].(map[string]any)["id"] = "changed"
	got["unknown_nested"].(map[string]any)["record"].(map[string]any)["a"] = "changed"
	delete(got, "host")
	if diff := cmp.Diff(want, get()); diff != "" {
		t.Errorf("after the reader changed its row (-want +got):\n%s", diff)
	}
}

// TestRowsIndexedByStoredValues: the indexes of a row keep working after
// the row written is changed by its writer.
func TestRowsIndexedByStoredValues(t *testing.T) {
	ctx := context.Background()
	b := memory.New(storetest.Catalog())
	in := codecRow()
	if err := b.Update(ctx, func(tx store.Tx) error { return tx.Insert(ctx, "services", in, "") }); err != nil {
		t.Fatal(err)
	}
	in["name"] = "other"
	in["id"] = "other"
	err := b.View(ctx, func(tx store.Tx) error {
		row, err := tx.GetBy(ctx, "services", "name", "svc")
		if err != nil {
			return err
		}
		if row["id"] != codecRow()["id"] {
			t.Errorf("GetBy name: id %v", row["id"])
		}
		_, err = tx.GetBy(ctx, "services", "name", "other")
		if err != store.ErrNotFound {
			t.Errorf("GetBy the writer's new name: %v, want not found", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
