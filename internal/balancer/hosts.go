package balancer

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Hosts resolves the host names of services that do not name an upstream
// entity to IPv4 addresses through a net.Resolver and keeps the answers
// for a while: Kong's DNS client with its default dns_order
// (LAST,SRV,A,CNAME) asks for A records only. Failed lookups are kept for
// a second (dns_error_ttl) so that a failing name does not cost a query
// per request. Its methods are safe for concurrent use.
type Hosts struct {
	r   *net.Resolver
	ttl time.Duration

	mu      sync.RWMutex
	entries map[string]*hostEntry
}

// hostEntry is one name's answer.
type hostEntry struct {
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

// NewHosts returns a cache resolving through r (nil: net.DefaultResolver)
// whose answers are reused for ttl (0 resolves every time).
func NewHosts(r *net.Resolver, ttl time.Duration) *Hosts {
	if r == nil {
		r = net.DefaultResolver
	}
	return &Hosts{r: r, ttl: ttl, entries: make(map[string]*hostEntry)}
}

// lookup returns the answer for host, from the cache while it is fresh.
// Concurrent misses may query twice; the last answer is kept.
func (h *Hosts) lookup(ctx context.Context, host string) *hostEntry {
	now := time.Now()
	h.mu.RLock()
	e := h.entries[host]
	h.mu.RUnlock()
	if e != nil && now.Before(e.expires) {
		return e
	}
	addrs, err := h.r.LookupNetIP(ctx, "ip4", host)
	if err != nil && ctx.Err() != nil {
		// The request went away: not the name's fault, keep nothing.
		return &hostEntry{err: err}
	}
	e = &hostEntry{addrs: addrs, err: err, expires: now.Add(h.ttl)}
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
	h.mu.Lock()
	if len(h.entries) >= dnsMaxCached {
		for name, old := range h.entries {
			if !now.Before(old.expires) {
				delete(h.entries, name)
			}
		}
	}
	h.entries[host] = e
	h.mu.Unlock()
	return e
}
