package dns

import (
	"context"
	"iter"
	"net/netip"
	"slices"
	"strings"
	"time"

	mdns "github.com/miekg/dns"
)

// maxDepth bounds the CNAME and SRV records followed for one name.
const maxDepth = 8

// Resolve returns the records name resolves to: of type A, AAAA or SRV,
// CNAME records followed. The record types of dns_order are tried in
// turn, each with the search domains of resolv.conf (after the bare name
// when it has ndots dots or the hosts file defines it, else before); the
// first with records wins and becomes the name's LAST type. An address
// literal resolves to itself. The error is the last type's failure, or
// the first query that got no answer.
func (c *Client) Resolve(ctx context.Context, name string) (*Answer, error) {
	return c.resolve(ctx, name, false, 0)
}

// ToIP returns the address and port to connect to for name, Kong's toip:
// the addresses of an A or AAAA answer in turn, and for an SRV answer the
// next record by weighted round-robin over the lowest priority, its
// target resolved the same way and its port replacing port unless 0.
// With cacheOnly no query is sent (a retry uses what the first try
// cached). It allocates nothing when the answers are cached.
func (c *Client) ToIP(ctx context.Context, name string, port uint16, cacheOnly bool) (netip.AddrPort, error) {
	for depth := range maxDepth {
		if ip, ok := literal(name); ok {
			return netip.AddrPortFrom(ip, port), nil
		}
		a, err := c.resolve(ctx, name, cacheOnly, depth)
		if err != nil {
			return netip.AddrPort{}, err
		}
		if a.Type != mdns.TypeSRV {
			return netip.AddrPortFrom(a.pickAddr(), port), nil
		}
		r := a.pickSRV()
		if r.Port != 0 {
			port = r.Port
		}
		name = r.Target
	}
	return netip.AddrPort{}, errRecursion
}

// resolve is Resolve at a depth of followed records; with cacheOnly it
// sends no query and records no LAST type.
func (c *Client) resolve(ctx context.Context, name string, cacheOnly bool, depth int) (*Answer, error) {
	if depth >= maxDepth {
		return nil, errRecursion
	}
	name = strings.ToLower(name)
	now := time.Now()
	short := cacheKey{name: name, short: true}
	if e := c.cache.get(short, now); e != nil && !e.stale(now) {
		return c.follow(ctx, e.ans, cacheOnly, depth)
	}
	if ip, ok := literal(name); ok {
		return addrAnswer(name, ip, now), nil
	}
	var err error = errEmpty
	for qname, typ := range c.candidates(name, now) {
		e, qerr := c.lookup(ctx, qname, typ, cacheOnly)
		if qerr != nil {
			// No answer: trying other types could give a wrong one.
			err = qerr
			break
		}
		if e.err != nil {
			err = e.err
			continue
		}
		if !cacheOnly {
			c.setLast(qname, typ, now)
		}
		if typ == mdns.TypeSRV && selfPointing(e.ans, qname) {
			// Kubernetes gives every pod an SRV record naming itself.
			err = errRecursion
			continue
		}
		if !cacheOnly {
			c.cache.set(short, e, now)
		}
		return c.follow(ctx, e.ans, cacheOnly, depth)
	}
	if !cacheOnly {
		c.cache.del(cacheKey{name: name, typ: typeLast})
	}
	return nil, err
}

// follow returns a, or what its CNAME record's target resolves to.
func (c *Client) follow(ctx context.Context, a *Answer, cacheOnly bool, depth int) (*Answer, error) {
	if a.Type == mdns.TypeCNAME {
		return c.resolve(ctx, a.CNAME, cacheOnly, depth+1)
	}
	return a, nil
}

// candidates yields the names and types to look up for name in turn:
// each type of the order once (LAST standing for the name's last type,
// skipped when it has none), each with the search domains.
func (c *Client) candidates(name string, now time.Time) iter.Seq2[string, uint16] {
	return func(yield func(string, uint16) bool) {
		done := make([]uint16, 0, len(c.order))
		dots := strings.Count(name, ".")
		fqdn := strings.HasSuffix(name, ".")
		for _, typ := range c.order {
			if typ == typeLast {
				typ = c.lastType(name, now)
			}
			if typ == typeLast || slices.Contains(done, typ) {
				continue
			}
			done = append(done, typ)
			bareFirst := fqdn || dots >= c.ndots || c.inHosts(name, typ)
			if bareFirst && !yield(name, typ) {
				return
			}
			if !fqdn {
				for _, domain := range c.search {
					if !yield(name+"."+domain, typ) {
						return
					}
				}
			}
			if !bareFirst && !yield(name, typ) {
				return
			}
		}
	}
}

// lastType returns the type that last succeeded for name, typeLast when
// none did.
func (c *Client) lastType(name string, now time.Time) uint16 {
	if e := c.cache.get(cacheKey{name: name, typ: typeLast}, now); e != nil {
		return e.last
	}
	if t, ok := c.hostsLast[name]; ok {
		return t
	}
	return typeLast
}

// setLast records typ as name's last successful type.
func (c *Client) setLast(name string, typ uint16, now time.Time) {
	k := cacheKey{name: name, typ: typeLast}
	if e := c.cache.get(k, now); e != nil && e.last == typ {
		return
	}
	c.cache.set(k, &entry{last: typ, expires: now.Add(tenYears), evict: now.Add(tenYears)}, now)
}

// selfPointing reports whether every SRV record of a names name itself.
func selfPointing(a *Answer, name string) bool {
	name = canonical(name)
	for _, r := range a.SRV {
		if r.Target != name {
			return false
		}
	}
	return true
}

// literal returns the address name spells, IPv6 in brackets or not. Only
// digits and dots, or a colon, make it worth parsing: a name costs no
// parse error.
func literal(name string) (netip.Addr, bool) {
	if strings.IndexByte(name, ':') < 0 && strings.Trim(name, "0123456789.") != "" {
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(strings.Trim(name, "[]"))
	return ip.Unmap(), err == nil
}
