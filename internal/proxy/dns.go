package proxy

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// resolver resolves upstream host names to IPv4 addresses through a
// net.Resolver and keeps the answers for a while: Kong's DNS client with
// its default dns_order (LAST,SRV,A,CNAME) asks for A records only. Failed
// lookups are kept for a second (dns_error_ttl) so that a failing name
// does not cost a query per request.
type resolver struct {
	r   *net.Resolver
	ttl time.Duration

	mu      sync.RWMutex
	entries map[string]*dnsEntry
}

// dnsEntry is one name's answer.
type dnsEntry struct {
	addrs   []netip.Addr
	err     error // errNameNotFound or the resolver's error
	expires time.Time
	next    atomic.Uint64 // round-robin position over addrs
}

// errNameNotFound is a name without A records: Kong's "name resolution
// failed" (NXDOMAIN or an empty answer).
var errNameNotFound = errors.New("name resolution failed")

const (
	dnsErrorTTL  = time.Second
	dnsMaxCached = 4096
)

func newResolver(r *net.Resolver, ttl time.Duration) *resolver {
	if r == nil {
		r = net.DefaultResolver
	}
	return &resolver{r: r, ttl: ttl, entries: make(map[string]*dnsEntry)}
}

// lookup returns the answer for host, from the cache while it is fresh.
// Concurrent misses may query twice; the last answer is kept.
func (r *resolver) lookup(ctx context.Context, host string) *dnsEntry {
	now := time.Now()
	r.mu.RLock()
	e := r.entries[host]
	r.mu.RUnlock()
	if e != nil && now.Before(e.expires) {
		return e
	}
	addrs, err := r.r.LookupNetIP(ctx, "ip4", host)
	if err != nil && ctx.Err() != nil {
		// The request went away: not the name's fault, keep nothing.
		return &dnsEntry{err: err}
	}
	e = &dnsEntry{addrs: addrs, err: err, expires: now.Add(r.ttl)}
	var dnsErr *net.DNSError
	switch {
	case err == nil && len(addrs) == 0, errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		e.addrs, e.err = nil, errNameNotFound
	}
	if e.err != nil {
		e.expires = now.Add(dnsErrorTTL)
	}
	for i, a := range e.addrs {
		e.addrs[i] = a.Unmap()
	}
	r.mu.Lock()
	if len(r.entries) >= dnsMaxCached {
		for h, old := range r.entries {
			if !now.Before(old.expires) {
				delete(r.entries, h)
			}
		}
	}
	r.entries[host] = e
	r.mu.Unlock()
	return e
}

// pick returns the next address of the answer, round-robin.
func (e *dnsEntry) pick() netip.Addr {
	return e.addrs[(e.next.Add(1)-1)%uint64(len(e.addrs))]
}
