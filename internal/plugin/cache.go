package plugin

import (
	"context"
	"crypto/subtle"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

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
	now := c.now()
	if v, ok := fresh(c.lookup(key), now); ok {
		return v, nil
	}
	return c.fill(ctx, key, now, func(ctx context.Context) (any, time.Duration, error) {
		v, err := load(ctx)
		return v, 0, err
	})
}

// GetEntity is Get under EntityKey(entity, value). A hit builds no key,
// so the request path's lookups cost no allocation.
func (c *Cache) GetEntity(ctx context.Context, entity, value string, load func(context.Context) (any, error)) (any, error) {
	return c.getEntity(ctx, entity, value, func(ctx context.Context) (any, time.Duration, error) {
		v, err := load(ctx)
		return v, 0, err
	})
}

// getEntity is GetEntity with load capping the entry's lifetime (a
// credential's ttl), 0 for none.
func (c *Cache) getEntity(ctx context.Context, entity, value string, load func(context.Context) (any, time.Duration, error)) (any, error) {
	now := c.now()
	if v, ok := fresh(c.lookupEntity(entity, value), now); ok {
		return v, nil
	}
	return c.fill(ctx, EntityKey(entity, value), now, load)
}

// fresh returns the value of e unless there is none or it expired by now.
func fresh(e *cacheEntry, now time.Time) (any, bool) {
	if e == nil || !e.expires.IsZero() && !now.Before(e.expires) {
		return nil, false
	}
	return e.value, true
}

// fill calls load and caches what it returns under key.
func (c *Cache) fill(ctx context.Context, key string, now time.Time, load func(context.Context) (any, time.Duration, error)) (any, error) {
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

// lookup returns the entry under key, nil when none.
func (c *Cache) lookup(key string) *cacheEntry {
	v, _ := c.entries.Load(key)
	e, _ := v.(*cacheEntry)
	return e
}

// lookupEntity is lookup(EntityKey(entity, value)) with the key built on
// the stack: the map only compares it, keeping its own copies of the keys
// it holds, so the string over buf never outlives this call.
func (c *Cache) lookupEntity(entity, value string) *cacheEntry {
	var buf [128]byte
	k := appendEntityKey(buf[:0], entity, value)
	return c.lookup(unsafe.String(unsafe.SliceData(k), len(k)))
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
func EntityKey(entity, value string) string {
	return string(appendEntityKey(make([]byte, 0, len(entity)+len(value)+6), entity, value))
}

func appendEntityKey(b []byte, entity, value string) []byte {
	b = append(b, entity...)
	b = append(b, ':')
	b = append(b, value...)
	return append(b, ":::::"...)
}

// Row returns the row of entity whose field is value, through the cache
// under the entity's cache key for that value; nil when there is none or
// when it has expired (ttl).
func (c *Cache) Row(ctx context.Context, entity, field, value string) (store.Row, error) {
	v, err := c.getEntity(ctx, entity, value, func(ctx context.Context) (any, time.Duration, error) {
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
	v, err := c.GetEntity(ctx, "consumers", idOrUsername, func(ctx context.Context) (any, error) {
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
	value, ok := fresh(c.lookup(key), c.now())
	if !ok || value == nil {
		return nil, false
	}
	switch v := value.(type) {
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
	return value, true
}
