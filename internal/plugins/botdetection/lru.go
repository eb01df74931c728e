package botdetection

import (
	"container/list"
	"sync"
)

// lru is a bounded least-recently-used map from User-Agent to verdict
// (Kong's resty.lrucache), safe for concurrent use: beyond its size the
// least recently used entry makes room, so clients sending random
// User-Agents cannot grow it.
type lru struct {
	size int

	mu      sync.Mutex
	order   *list.List // of *lruEntry, most recent first
	entries map[string]*list.Element
}

type lruEntry struct {
	key   string
	value verdict
}

func newLRU(size int) *lru {
	return &lru{size: size, order: list.New(), entries: make(map[string]*list.Element, size)}
}

// get returns the verdict stored for key.
func (c *lru) get(key string) (verdict, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return 0, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*lruEntry).value, true
}

// set stores the verdict for key, evicting the least recently used entry
// when full.
func (c *lru) set(key string, value verdict) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		el.Value.(*lruEntry).value = value
		c.order.MoveToFront(el)
		return
	}
	if c.order.Len() >= c.size {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.entries, oldest.Value.(*lruEntry).key)
	}
	c.entries[key] = c.order.PushFront(&lruEntry{key: key, value: value})
}
