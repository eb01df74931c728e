package cluster

import (
	"context"
	"slices"
	"testing"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	_ "github.com/silverback-gw/silverback/internal/plugins/bundled" // cors, for a plugin row
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/memory"
)

// probe is a backend handing the cache keys each write transaction
// recorded to got, as the write hook would see them.
type probe struct {
	store.Backend
	got [][]string
}

func (p *probe) Update(ctx context.Context, fn func(store.Tx) error) error {
	err := p.Backend.Update(ctx, fn)
	if col, _ := ctx.Value(keysKey{}).(*collector); col != nil {
		p.got = append(p.got, slices.Clone(col.keys))
	}
	return err
}

// TestWrapRecordsKongCacheKeys: each write transaction records the keys
// Kong's DAO invalidates, the old row's on update and delete.
func TestWrapRecordsKongCacheKeys(t *testing.T) {
	plugins, err := plugin.Load([]string{"bundled"})
	if err != nil {
		t.Fatal(err)
	}
	catalog := entities.NewCatalog(plugins)
	p := &probe{Backend: memory.New(catalog)}
	c := New(Options{Catalog: catalog})
	db := store.New(c.Wrap(p), catalog)
	ctx := context.Background()
	write := func(fn func(*store.Txn) (store.Row, error)) store.Row {
		t.Helper()
		var row store.Row
		if err := db.Update(ctx, func(tx *store.Txn) (err error) { row, err = fn(tx); return err }); err != nil {
			t.Fatal(err)
		}
		return row
	}
	svc := write(func(tx *store.Txn) (store.Row, error) {
		return tx.Insert(ctx, "services", map[string]any{"name": "s", "host": "example.com"})
	})
	sid := svc["id"].(string)
	write(func(tx *store.Txn) (store.Row, error) {
		return tx.Insert(ctx, "plugins", map[string]any{"name": "cors", "service": map[string]any{"id": sid}})
	})
	write(func(tx *store.Txn) (store.Row, error) {
		return tx.Update(ctx, "services", sid, map[string]any{"host": "example.org"})
	})
	cons := write(func(tx *store.Txn) (store.Row, error) {
		return tx.Insert(ctx, "consumers", map[string]any{"username": "alice"})
	})
	write(func(tx *store.Txn) (store.Row, error) {
		_, err := tx.Delete(ctx, "consumers", cons["id"].(string))
		return nil, err
	})
	cid := cons["id"].(string)
	want := [][]string{
		{"services:" + sid + ":::::"},
		{"plugins:" + p.pluginID(t) + ":::::", "plugins:cors::" + sid + ":::", "plugins_iterator:version"},
		{"services:" + sid + ":::::", "router:version"},
		{"consumers:" + cid + ":::::", "consumers:alice:::::"},
		{"consumers:" + cid + ":::::", "consumers:alice:::::"},
	}
	if !slices.EqualFunc(p.got, want, slices.Equal) {
		t.Errorf("recorded keys\n got %q\nwant %q", p.got, want)
	}
}

// pluginID returns the id of the only plugin.
func (p *probe) pluginID(t *testing.T) string {
	t.Helper()
	var id string
	err := p.Backend.View(context.Background(), func(tx store.Tx) error {
		page, err := tx.Page(context.Background(), "plugins", store.Query{Size: 10})
		if err == nil && len(page.Rows) == 1 {
			id, _ = page.Rows[0]["id"].(string)
		}
		return err
	})
	if err != nil || id == "" {
		t.Fatalf("plugin id: %q %v", id, err)
	}
	return id
}
