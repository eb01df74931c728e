package plugin

import (
	"context"
	"crypto/subtle"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// CacheOptions are the per-node cache's lifetimes (Kong's db_cache_ttl and
// db_cache_neg_ttl, in seconds in kong.conf); zero means no expiry.
type CacheOptions struct {
	// TTL is how long a found entity stays cached.
	TTL time.Duration
	// NegTTL is how long a miss (no such entity) stays cached.
	NegTTL time.Duration
	// MaxEntries bounds the cache (Kong's lua_shared_dict size), so that
	// clients sending random keys cannot grow it without end: beyond it an
	// arbitrary entry makes room. 0 means DefaultMaxEntries.
	MaxEntries int
}

// DefaultMaxEntries is CacheOptions.MaxEntries's default.
const DefaultMaxEntries = 100_000

// Cache is the node's entity cache on the request path (Kong's
// kong.cache): the auth plugins find credentials and consumers through it
// by Kong's cache keys, so a request costs no store query once warm. It
// follows the store's change events, and Invalidate serves the cluster's
// events from other nodes.
type Cache struct {
	db   *store.DB
	opts CacheOptions
	now  func() time.Time

	// entries maps keys to *cacheEntry. A sync.Map because keys are
	// written once and then read by every request: reads take no lock.
	entries sync.Map
	// size counts the entries, for MaxEntries.
	size atomic.Int64
	// gen counts invalidations: a value loaded while one happened may be
	// stale and is not kept.
	gen atomic.Uint64
}

type cacheEntry struct {
	value   any // nil for a cached miss
	expires time.Time
}

// NewCache returns a cache loading from db, invalidated by db's change
// events.
func NewCache(db *store.DB, opts CacheOptions) *Cache {
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	c := &Cache{db: db, opts: opts, now: time.Now}
	db.Subscribe(c.onEvents)
	return c
}

// Get returns the value cached under key, calling load on a miss or an
// expired entry. load returns nil for "not found", which is cached for
// NegTTL; its errors are not cached.
func (c *Cache) Get(ctx context.Context, key string, load func(context.Context) (any, error)) (any, error) {
	return c.get(ctx, key, func(ctx context.Context) (any, time.Duration, error) {
		v, err := load(ctx)
		return v, 0, err
	})
}

// get is Get with load capping the entry's lifetime (a credential's ttl),
// 0 for none.
func (c *Cache) get(ctx context.Context, key string, load func(context.Context) (any, time.Duration, error)) (any, error) {
	now := c.now()
	if e, ok := c.lookup(key); ok && (e.expires.IsZero() || now.Before(e.expires)) {
		return e.value, nil
	}
	gen := c.gen.Load()
	v, limit, err := load(ctx)
	if err != nil {
		return nil, err
	}
	ttl := c.opts.TTL
	if v == nil {
		ttl = c.opts.NegTTL
	}
	if limit > 0 && (ttl <= 0 || limit < ttl) {
		ttl = limit
	}
	e := &cacheEntry{value: v}
	if ttl > 0 {
		e.expires = now.Add(ttl)
	}
	c.store(key, e)
	// An invalidation during the load may have missed the entry just
	// stored: drop it. One after this check deletes it itself, since it
	// counts before it deletes.
	if c.gen.Load() != gen {
		if c.entries.CompareAndDelete(key, e) {
			c.size.Add(-1)
		}
	}
	return v, nil
}

func (c *Cache) lookup(key string) (*cacheEntry, bool) {
	v, ok := c.entries.Load(key)
	if !ok {
		return nil, false
	}
	return v.(*cacheEntry), true
}

// store keeps e under key, making room first when the cache is full.
func (c *Cache) store(key string, e *cacheEntry) {
	if c.size.Load() >= int64(c.opts.MaxEntries) {
		c.entries.Range(func(k, _ any) bool { // an arbitrary entry
			c.delete(k.(string))
			return false
		})
	}
	if _, replaced := c.entries.Swap(key, e); !replaced {
		c.size.Add(1)
	}
}

func (c *Cache) delete(key string) {
	if _, ok := c.entries.LoadAndDelete(key); ok {
		c.size.Add(-1)
	}
}

// Invalidate drops key (kong.cache:invalidate); the cluster calls it for
// changes made on other nodes.
func (c *Cache) Invalidate(key string) {
	c.gen.Add(1)
	c.delete(key)
}

// Purge drops every entry (a whole configuration was replaced).
func (c *Cache) Purge() {
	c.gen.Add(1)
	c.entries.Range(func(k, _ any) bool {
		c.delete(k.(string))
		return true
	})
}

// Len returns the number of cached entries, misses included.
func (c *Cache) Len() int { return int(c.size.Load()) }

// onEvents invalidates what a committed transaction changed: the cache key
// of the old and new rows, the id key of consumers, and the per-consumer
// key of entities referencing a consumer (the acl groups of a consumer).
func (c *Cache) onEvents(events []store.Event) {
	catalog := c.db.Catalog()
	c.gen.Add(1)
	for _, ev := range events {
		if ev.Op == store.OpTruncate {
			c.Purge()
			return
		}
		e, ok := catalog.Get(ev.Entity)
		if !ok {
			continue
		}
		for _, row := range []store.Row{ev.Old, ev.New} {
			if row == nil {
				continue
			}
			for _, k := range invalidationKeys(e, row) {
				c.delete(k)
			}
		}
	}
}

func invalidationKeys(e *schema.Entity, row store.Row) []string {
	var keys []string
	if k := store.CacheKey(e, row); k != "" {
		keys = append(keys, k)
	}
	if id, _ := row["id"].(string); id != "" {
		keys = append(keys, EntityKey(e.Name, id))
	}
	if consumer := entities.ForeignID(row, "consumer"); consumer != "" {
		keys = append(keys, EntityKey(e.Name, consumer))
	}
	if e.Name == "consumers" {
		if u, _ := row["username"].(string); u != "" {
			keys = append(keys, EntityKey("consumers", u))
		}
	}
	return keys
}

// EntityKey is Kong's cache key of one value in a table
// ("consumers:<id>:::::", "acls:<consumer id>:::::").
func EntityKey(entity, value string) string { return entity + ":" + value + ":::::" }

// Row returns the row of entity whose field is value, through the cache
// under the entity's cache key for that value; nil when there is none or
// when it has expired (ttl).
func (c *Cache) Row(ctx context.Context, entity, field, value string) (store.Row, error) {
	v, err := c.get(ctx, EntityKey(entity, value), func(ctx context.Context) (any, time.Duration, error) {
		var row store.Row
		err := c.db.View(ctx, func(tx *store.Txn) error {
			var err error
			row, err = tx.GetBy(ctx, entity, field, value)
			return err
		})
		if err != nil || row == nil {
			return nil, 0, err
		}
		// a row with a ttl (seconds left) leaves the cache when it expires
		var limit time.Duration
		switch ttl := row["ttl"].(type) {
		case int64:
			limit = time.Duration(max(ttl, 1)) * time.Second
		case float64:
			limit = time.Duration(max(ttl, 1) * float64(time.Second))
		}
		return row, limit, nil
	})
	if v == nil || err != nil {
		return nil, err
	}
	return v.(store.Row), nil
}

// Consumer returns the consumer with the id, or with the username when
// none has that id (the anonymous option names either); nil when none.
func (c *Cache) Consumer(ctx context.Context, idOrUsername string) (*entities.Consumer, error) {
	if idOrUsername == "" {
		return nil, nil
	}
	v, err := c.Get(ctx, EntityKey("consumers", idOrUsername), func(ctx context.Context) (any, error) {
		var row store.Row
		err := c.db.View(ctx, func(tx *store.Txn) error {
			var err error
			if uuid.Validate(idOrUsername) == nil {
				if row, err = tx.Get(ctx, "consumers", idOrUsername); err != nil || row != nil {
					return err
				}
			}
			row, err = tx.GetBy(ctx, "consumers", "username", idOrUsername)
			return err
		})
		if err != nil || row == nil {
			return nil, err
		}
		return entities.ConsumerFromRow(row), nil
	})
	if err != nil || v == nil {
		return nil, err
	}
	return v.(*entities.Consumer), nil
}

// Credential finds the credential of entity whose secret field equals
// secret, comparing in constant time, with its consumer; nil when none.
func (c *Cache) Credential(ctx context.Context, entity, field, secret string) (store.Row, *entities.Consumer, error) {
	row, err := c.Row(ctx, entity, field, secret)
	if err != nil || row == nil {
		return nil, nil, err
	}
	stored, _ := row[field].(string)
	if subtle.ConstantTimeCompare([]byte(stored), []byte(secret)) != 1 {
		return nil, nil, nil
	}
	consumer, err := c.Consumer(ctx, entities.ForeignID(row, "consumer"))
	if err != nil || consumer == nil {
		return nil, nil, err
	}
	return row, consumer, nil
}

// DB returns the store the cache loads from.
func (c *Cache) DB() *store.DB { return c.db }

// Probe returns the value cached under key, as GET /cache/{key} shows it
// (rows as JSON objects); false when nothing or a miss is cached.
func (c *Cache) Probe(key string) (any, bool) {
	e, ok := c.lookup(key)
	if !ok || e.value == nil || !e.expires.IsZero() && !c.now().Before(e.expires) {
		return nil, false
	}
	switch v := e.value.(type) {
	case store.Row:
		return map[string]any(v), true
	case *entities.Consumer:
		m := map[string]any{"id": v.ID, "username": nil, "custom_id": nil, "tags": nil}
		if v.Username != "" {
			m["username"] = v.Username
		}
		if v.CustomID != "" {
			m["custom_id"] = v.CustomID
		}
		if v.Tags != nil {
			m["tags"] = v.Tags
		}
		return m, true
	}
	return e.value, true
}
