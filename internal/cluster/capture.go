package cluster

import (
	"context"
	"slices"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
)

// keysKey is the context key of the cache keys a write transaction
// invalidates, collected by the wrapped backend and read by the write hook.
type keysKey struct{}

// collector accumulates the cache keys (without the workspace part) of one
// write transaction.
type collector struct{ keys []string }

func (c *collector) add(key string) {
	if key != "" && !slices.Contains(c.keys, key) {
		c.keys = append(c.keys, key)
	}
}

// backend wraps a store backend so that its write transactions record the
// cache keys they invalidate.
type backend struct {
	store.Backend
	catalog *entities.Catalog
}

// Wrap returns b recording, for every write transaction, the cache keys of
// the rows it writes; the write hook (Hook) turns them into cluster events.
func (c *Cluster) Wrap(b store.Backend) store.Backend {
	return &backend{Backend: b, catalog: c.opts.Catalog}
}

// Unwrap returns the wrapped backend, for code that needs its own methods
// (the rate-limiting cluster policy's metrics upserts).
func (b *backend) Unwrap() store.Backend { return b.Backend }

// Update runs fn with a transaction that records the cache keys of its
// writes in the context the write hook receives.
func (b *backend) Update(ctx context.Context, fn func(store.Tx) error) error {
	col := &collector{}
	ctx = context.WithValue(ctx, keysKey{}, col)
	return b.Backend.Update(ctx, func(tx store.Tx) error {
		col.keys = col.keys[:0] // the backend may run fn again
		return fn(&recTx{Tx: tx, b: b, col: col, seen: map[string]store.Row{}})
	})
}

// recTx is a transaction recording the cache keys of its writes. It keeps
// the rows it read so that a delete invalidates the old row's keys.
type recTx struct {
	store.Tx
	b    *backend
	col  *collector
	seen map[string]store.Row
}

func (t *recTx) Get(ctx context.Context, table, id string) (store.Row, error) {
	row, err := t.Tx.Get(ctx, table, id)
	if err == nil {
		t.seen[table+"\x00"+id] = row
	}
	return row, err
}

func (t *recTx) Insert(ctx context.Context, table string, row store.Row, cacheKey string) error {
	t.record(table, row, cacheKey, false)
	return t.Tx.Insert(ctx, table, row, cacheKey)
}

func (t *recTx) Replace(ctx context.Context, table string, row store.Row, cacheKey string) error {
	id, _ := row["id"].(string)
	if old, ok := t.seen[table+"\x00"+id]; ok {
		t.record(table, old, "", true)
	}
	t.record(table, row, cacheKey, true)
	return t.Tx.Replace(ctx, table, row, cacheKey)
}

func (t *recTx) Delete(ctx context.Context, table, id string) error {
	if old, ok := t.seen[table+"\x00"+id]; ok {
		t.record(table, old, "", false)
	} else {
		t.record(table, store.Row{"id": id}, "", false)
	}
	return t.Tx.Delete(ctx, table, id)
}

func (t *recTx) Truncate(ctx context.Context, table string) error {
	t.col.add(table)
	return t.Tx.Truncate(ctx, table)
}

// record adds the keys Kong's DAO invalidates for a written row: the
// entity's cache key (the composite one when the entity declares it, else
// "<table>:<id>:::::"), plus the router version (routes, and services when
// updated), the plugins iterator version (plugins) and a consumer's
// username key.
func (t *recTx) record(table string, row store.Row, cacheKey string, update bool) {
	if id, _ := row["id"].(string); id != "" {
		t.col.add(table + ":" + id + ":::::")
	}
	if cacheKey == "" && t.b.catalog != nil {
		if e, ok := t.b.catalog.Get(table); ok {
			cacheKey = store.CacheKey(e, row)
		}
	}
	t.col.add(cacheKey)
	switch table {
	case "routes":
		t.col.add("router:version")
	case "services":
		if update {
			t.col.add("router:version")
		}
	case "plugins":
		t.col.add("plugins_iterator:version")
	case "consumers":
		if name, _ := row["username"].(string); name != "" {
			t.col.add("consumers:" + name + ":::::") // the lookup by username
		}
	}
}
