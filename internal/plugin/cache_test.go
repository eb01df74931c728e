package plugin

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/memory"
)

func TestCacheTTLAndInvalidate(t *testing.T) {
	cat := entities.NewCatalog(nil)
	db := store.New(memory.New(cat), cat)
	c := NewCache(db, CacheOptions{TTL: time.Minute, NegTTL: time.Second})
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }
	ctx := context.Background()
	loads := 0
	load := func(v any) func(context.Context) (any, error) {
		return func(context.Context) (any, error) { loads++; return v, nil }
	}
	get := func(key string, v any) any {
		got, err := c.Get(ctx, key, load(v))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	get("hit", "a")
	get("miss", nil)
	if get("hit", "b") != "a" || get("miss", "x") != nil || loads != 2 {
		t.Fatalf("cached values not served (loads %d)", loads)
	}
	now = now.Add(2 * time.Second) // the miss expired, not the hit
	if get("hit", "b") != "a" || get("miss", "x") != "x" || loads != 3 {
		t.Errorf("negative ttl (loads %d)", loads)
	}
	now = now.Add(time.Minute)
	if get("hit", "b") != "b" {
		t.Error("positive ttl")
	}
	c.Invalidate("hit")
	if get("hit", "c") != "c" {
		t.Error("Invalidate")
	}

	// store events: the consumer's key, by id and username
	var id string
	_ = db.Update(ctx, func(tx *store.Txn) error {
		r, err := tx.Insert(ctx, "consumers", map[string]any{"username": "u"})
		if err == nil {
			id = r["id"].(string)
		}
		return err
	})
	for _, k := range []string{id, "u"} {
		if got, err := c.Consumer(ctx, k); err != nil || got == nil || got.ID != id {
			t.Fatalf("Consumer(%s) = %v, %v", k, got, err)
		}
	}
	_ = db.Update(ctx, func(tx *store.Txn) error { _, err := tx.Delete(ctx, "consumers", id); return err })
	for _, k := range []string{id, "u"} {
		if got, _ := c.Consumer(ctx, k); got != nil {
			t.Errorf("deleted consumer %s still cached", k)
		}
	}
	_ = db.Update(ctx, func(tx *store.Txn) error { return tx.Truncate(ctx, "consumers") })
	if c.Len() != 0 {
		t.Errorf("truncate left %d entries", c.Len())
	}
}

func TestCacheProbe(t *testing.T) {
	cat := entities.NewCatalog(nil)
	db := store.New(memory.New(cat), cat)
	c := NewCache(db, CacheOptions{})
	ctx := context.Background()
	var id string
	_ = db.Update(ctx, func(tx *store.Txn) error {
		r, err := tx.Insert(ctx, "consumers", map[string]any{"username": "u"})
		id, _ = r["id"].(string)
		return err
	})
	if _, err := c.Consumer(ctx, "u"); err != nil {
		t.Fatal(err)
	}
	v, ok := c.Probe(EntityKey("consumers", "u"))
	if m, _ := v.(map[string]any); !ok || m["id"] != id || m["username"] != "u" {
		t.Errorf("probe: %v %v", v, ok)
	}
	_, _ = c.Consumer(ctx, "nobody")
	if _, ok := c.Probe(EntityKey("consumers", "nobody")); ok {
		t.Error("a cached miss probes as found")
	}
}

// TestCacheLoadRacingInvalidation: a value loaded while an invalidation
// happened is returned but not cached, so a stale read cannot outlive the
// change.
func TestCacheLoadRacingInvalidation(t *testing.T) {
	cat := entities.NewCatalog(nil)
	db := store.New(memory.New(cat), cat)
	c := NewCache(db, CacheOptions{})
	ctx := context.Background()
	v, _ := c.Get(ctx, "k", func(context.Context) (any, error) {
		c.Invalidate("k") // the change commits during the load
		return "stale", nil
	})
	if v != "stale" || c.Len() != 0 {
		t.Errorf("got %v, %d entries", v, c.Len())
	}
	if v, _ = c.Get(ctx, "k", func(context.Context) (any, error) { return "fresh", nil }); v != "fresh" || c.Len() != 1 {
		t.Errorf("reload: %v, %d entries", v, c.Len())
	}
}

func TestCacheBounded(t *testing.T) {
	cat := entities.NewCatalog(nil)
	db := store.New(memory.New(cat), cat)
	c := NewCache(db, CacheOptions{MaxEntries: 3})
	for i := range 10 {
		_, _ = c.Get(context.Background(), string(rune('a'+i)), func(context.Context) (any, error) { return nil, nil })
	}
	if c.Len() != 3 {
		t.Errorf("%d entries, want 3", c.Len())
	}
}

// TestCacheGetEntity checks that GetEntity and Get share entries under
// EntityKey, short and long keys alike, and that invalidating the key
// drops what GetEntity cached.
func TestCacheGetEntity(t *testing.T) {
	cat := entities.NewCatalog(nil)
	db := store.New(memory.New(cat), cat)
	c := NewCache(db, CacheOptions{})
	ctx := context.Background()
	for _, value := range []string{"k", strings.Repeat("long-key-", 40)} {
		loads := 0
		load := func(v any) func(context.Context) (any, error) {
			return func(context.Context) (any, error) { loads++; return v, nil }
		}
		if v, _ := c.GetEntity(ctx, "keyauth_credentials", value, load("a")); v != "a" {
			t.Fatalf("GetEntity loaded %v", v)
		}
		if v, _ := c.Get(ctx, EntityKey("keyauth_credentials", value), load("b")); v != "a" || loads != 1 {
			t.Errorf("Get under EntityKey = %v after %d loads, want GetEntity's a after 1", v, loads)
		}
		if v, _ := c.GetEntity(ctx, "keyauth_credentials", value, load("c")); v != "a" || loads != 1 {
			t.Errorf("GetEntity again = %v after %d loads, want the cached a", v, loads)
		}
		c.Invalidate("keyauth_credentials:" + value + ":::::")
		if v, _ := c.GetEntity(ctx, "keyauth_credentials", value, load("d")); v != "d" || loads != 2 {
			t.Errorf("after Invalidate GetEntity = %v after %d loads, want a reload", v, loads)
		}
	}
}

// BenchmarkCacheHit is the request path's cost of a warm cache lookup,
// from every P at once (a credential and its consumer per request).
func BenchmarkCacheHit(b *testing.B) {
	cat := entities.NewCatalog(nil)
	db := store.New(memory.New(cat), cat)
	c := NewCache(db, CacheOptions{TTL: time.Hour})
	ctx := context.Background()
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = "bench-key-" + strconv.Itoa(i)
		_, _ = c.GetEntity(ctx, "keyauth_credentials", keys[i], func(context.Context) (any, error) { return i, nil })
	}
	miss := func(context.Context) (any, error) { b.Fatal("miss"); return nil, nil }
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := c.GetEntity(ctx, "keyauth_credentials", keys[i&1023], miss); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
