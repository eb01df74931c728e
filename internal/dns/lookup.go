package dns

import (
	"context"
	"time"
)

// flight is a query in progress, shared by the lookups of its name and
// type.
type flight struct {
	done chan struct{}
	e    *entry
	err  error
}

// cacheOnlyEntry is the entry of a cache-only lookup that found nothing.
var cacheOnlyEntry = &entry{err: errCacheOnly}

// lookup returns the entry of name and type: the hosts file's, the
// cache's (a stale one while a background query refreshes it), else the
// answer of a query (none when cacheOnly). The error is a query that got
// no answer; failures the server gave are entries.
func (c *Client) lookup(ctx context.Context, name string, typ uint16, cacheOnly bool) (*entry, error) {
	k := cacheKey{name: name, typ: typ}
	if e := c.hosts[k]; e != nil {
		return e, nil
	}
	now := time.Now()
	if e := c.cache.get(k, now); e != nil {
		if e.stale(now) {
			c.start(k)
		}
		return e, nil
	}
	if cacheOnly {
		return cacheOnlyEntry, nil
	}
	if c.noSync {
		return c.query(ctx, k)
	}
	f := c.start(k)
	select {
	case <-f.done:
		return f.e, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// start returns the flight of k, starting a query when none is in
// progress. The query outlives the lookups that wait for it, within the
// timeout and attempts of one query.
func (c *Client) start(k cacheKey) *flight {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.flights[k]; f != nil {
		return f
	}
	f := &flight{done: make(chan struct{})}
	c.flights[k] = f
	go func() {
		f.e, f.err = c.query(context.Background(), k)
		c.mu.Lock()
		delete(c.flights, k)
		c.mu.Unlock()
		close(f.done)
	}()
	return f
}

// query asks the name servers for k and caches the response.
func (c *Client) query(ctx context.Context, k cacheKey) (*entry, error) {
	r, err := c.exchange(ctx, k.name, k.typ)
	if err != nil {
		return nil, err
	}
	return c.store(k.name, k.typ, r, time.Now()), nil
}
