package dns

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// cacheKey names a cache entry: the records of one name and type, the
// last answer of a name whatever its type (short), or the type that last
// succeeded for a name (typ typeLast).
type cacheKey struct {
	name  string
	typ   uint16
	short bool
}

// entry is a cached answer or failure, shared by readers: only touched
// changes after it is stored.
type entry struct {
	ans *Answer // nil for a failure
	err *Error  // nil for an answer
	// last is the type of a typeLast entry.
	last    uint16
	expires time.Time // when it goes stale
	evict   time.Time // when it is dropped: expires + dns_stale_ttl
	touched atomic.Int64
}

// stale reports whether e expired by now.
func (e *entry) stale(now time.Time) bool { return !now.Before(e.expires) }

// cache is a bounded map of entries. Reads share a read lock; when an
// insertion fills it, the entries past their stale window go, then the
// least recently read until a tenth of the room is free again, so that
// evictions come in batches.
type cache struct {
	size int
	mu   sync.RWMutex
	m    map[cacheKey]*entry
}

func newCache(size int) *cache {
	return &cache{size: size, m: make(map[cacheKey]*entry)}
}

// get returns the entry of k unless it is absent or past its stale
// window, and marks it read.
func (c *cache) get(k cacheKey, now time.Time) *entry {
	c.mu.RLock()
	e := c.m[k]
	c.mu.RUnlock()
	if e == nil || !now.Before(e.evict) {
		return nil
	}
	// Recency to the second is enough: hot entries are not written to on
	// every read.
	if t := now.UnixNano(); t-e.touched.Load() > int64(time.Second) {
		e.touched.Store(t)
	}
	return e
}

// set stores e under k, or drops k when e is already past its stale
// window.
func (c *cache) set(k cacheKey, e *entry, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !now.Before(e.evict) {
		delete(c.m, k)
		return
	}
	e.touched.Store(now.UnixNano())
	if _, ok := c.m[k]; !ok && len(c.m) >= c.size {
		c.evict(now)
	}
	c.m[k] = e
}

// evict makes room; c.mu is held.
func (c *cache) evict(now time.Time) {
	for k, e := range c.m {
		if !now.Before(e.evict) {
			delete(c.m, k)
		}
	}
	keep := c.size - max(c.size/10, 1)
	if len(c.m) <= keep {
		return
	}
	type aged struct {
		k cacheKey
		t int64
	}
	all := make([]aged, 0, len(c.m))
	for k, e := range c.m {
		all = append(all, aged{k, e.touched.Load()})
	}
	slices.SortFunc(all, func(a, b aged) int { return cmp.Compare(a.t, b.t) })
	for _, a := range all[:len(all)-keep] {
		delete(c.m, a.k)
	}
}

// del drops the entry of k.
func (c *cache) del(k cacheKey) {
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}
