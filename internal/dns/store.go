package dns

import (
	"time"

	mdns "github.com/miekg/dns"
)

// store caches the response to a query for name and qtype, as Kong's
// parseAnswer does, and returns the query's entry: the records of name
// and qtype, else "empty record received" or the server's error. The
// other records of the answer (a CNAME's target's, say) are cached on
// their own and become their names' last type when they have none.
func (c *Client) store(name string, qtype uint16, r *mdns.Msg, now time.Time) *entry {
	if r.Rcode != mdns.RcodeSuccess {
		return c.insert(cacheKey{name: name, typ: qtype}, c.failure(serverError(r.Rcode), now), now)
	}
	owner := canonical(name)
	type group struct {
		name string
		typ  uint16
	}
	var own []mdns.RR
	others := map[group][]mdns.RR{}
	for _, rr := range r.Answer {
		h := rr.Header()
		switch h.Rrtype {
		case mdns.TypeA, mdns.TypeAAAA, mdns.TypeSRV, mdns.TypeCNAME:
		default:
			continue
		}
		if n := canonical(h.Name); n != owner || h.Rrtype != qtype {
			others[group{n, h.Rrtype}] = append(others[group{n, h.Rrtype}], rr)
			continue
		}
		own = append(own, rr)
	}
	for g, rrs := range others {
		c.insert(cacheKey{name: g.name, typ: g.typ}, c.records(g.name, g.typ, rrs, now), now)
		if c.lastType(g.name, now) == typeLast {
			c.setLast(g.name, g.typ, now)
		}
	}
	e := c.failure(errEmpty, now)
	if len(own) > 0 {
		e = c.records(name, qtype, own, now)
	}
	return c.insert(cacheKey{name: name, typ: qtype}, e, now)
}

// records is the entry of records, cached for their smallest TTL or
// dns_valid_ttl.
func (c *Client) records(name string, typ uint16, rrs []mdns.RR, now time.Time) *entry {
	ttl := c.validTTL
	if ttl <= 0 {
		ttl = time.Duration(rrs[0].Header().Ttl) * time.Second
		for _, rr := range rrs[1:] {
			ttl = min(ttl, time.Duration(rr.Header().Ttl)*time.Second)
		}
	}
	a := newAnswer(name, typ, rrs, ttl, now)
	return &entry{ans: a, expires: a.Expires, evict: a.Expires.Add(c.staleTTL)}
}

// failure is the entry of a failed query: "name error" and empty answers
// are kept for dns_not_found_ttl, other errors for dns_error_ttl.
func (c *Client) failure(err *Error, now time.Time) *entry {
	ttl := c.errorTTL
	if err.Code == codeNameError || err.Code == codeEmpty {
		ttl = c.notFoundTTL
	}
	expires := now.Add(ttl)
	return &entry{err: err, expires: expires, evict: expires.Add(c.staleTTL)}
}

// insert caches e under k and returns it, except that an empty answer or
// a server error other than "name error" does not replace records, even
// stale ones: those are served on.
func (c *Client) insert(k cacheKey, e *entry, now time.Time) *entry {
	if e.err != nil && e.err.Code != codeNameError {
		if old := c.cache.get(k, now); old != nil && old.ans != nil {
			return e
		}
	}
	c.cache.set(k, e, now)
	return e
}
