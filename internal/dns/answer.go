package dns

import (
	"math/rand/v2"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	mdns "github.com/miekg/dns"
)

// Answer is the records of one name and type as cached: shared by every
// caller until it expires, never to be modified.
type Answer struct {
	// Name is the name the records belong to (lowercase, as queried).
	Name string
	// Type is mdns.TypeA, TypeAAAA, TypeSRV or TypeCNAME.
	Type uint16
	// Addrs are the A or AAAA records' addresses, in the server's order.
	Addrs []netip.Addr
	// SRV are the SRV records, in the server's order.
	SRV []SRV
	// CNAME is the CNAME record's target.
	CNAME string
	// TTL is the smallest of the records' TTLs, or dns_valid_ttl.
	TTL time.Duration
	// Expires is when the answer goes stale.
	Expires time.Time

	next  atomic.Uint64 // round-robin position
	wheel []int32       // SRV: indexes of the lowest priority's records, by weight
}

// SRV is one SRV record.
type SRV struct {
	// Target is the record's target name (lowercase, no final dot).
	Target   string
	Port     uint16
	Weight   uint16
	Priority uint16
}

// newAnswer returns the answer of records of one type, expiring after ttl.
func newAnswer(name string, typ uint16, rrs []mdns.RR, ttl time.Duration, now time.Time) *Answer {
	a := &Answer{Name: name, Type: typ, TTL: ttl, Expires: now.Add(ttl)}
	for _, rr := range rrs {
		switch r := rr.(type) {
		case *mdns.A:
			if ip, ok := netip.AddrFromSlice(r.A); ok {
				a.Addrs = append(a.Addrs, ip.Unmap())
			}
		case *mdns.AAAA:
			if ip, ok := netip.AddrFromSlice(r.AAAA); ok {
				a.Addrs = append(a.Addrs, ip)
			}
		case *mdns.SRV:
			a.SRV = append(a.SRV, SRV{Target: canonical(r.Target), Port: r.Port, Weight: r.Weight, Priority: r.Priority})
		case *mdns.CNAME:
			a.CNAME = canonical(r.Target)
		}
	}
	if typ == mdns.TypeSRV {
		a.wheel = srvWheel(a.SRV)
	}
	return a
}

// addrAnswer is a hosts file entry or an address literal: one address,
// valid for ten years as in Kong.
func addrAnswer(name string, ip netip.Addr, now time.Time) *Answer {
	typ := mdns.TypeA
	if ip.Is6() {
		typ = mdns.TypeAAAA
	}
	return &Answer{Name: name, Type: typ, Addrs: []netip.Addr{ip}, TTL: tenYears, Expires: now.Add(tenYears)}
}

const tenYears = 10 * 365 * 24 * time.Hour

// TopPriority returns the SRV records of the lowest priority value, the
// only ones Kong uses.
func (a *Answer) TopPriority() []SRV {
	var top []SRV
	for _, r := range a.SRV {
		switch {
		case len(top) == 0 || r.Priority == top[0].Priority:
			top = append(top, r)
		case r.Priority < top[0].Priority:
			top = append(top[:0], r)
		}
	}
	return top
}

// srvWheel returns the weighted round-robin of the lowest priority's
// records: each index repeated its weight (0 counting as 1) divided by
// the weights' greatest common divisor, in a random order.
func srvWheel(recs []SRV) []int32 {
	var idx []int32
	top := -1
	for i, r := range recs {
		switch {
		case top < 0 || r.Priority < uint16(top):
			top, idx = int(r.Priority), append(idx[:0], int32(i))
		case r.Priority == uint16(top):
			idx = append(idx, int32(i))
		}
	}
	g := 0
	for _, i := range idx {
		g = gcd(g, recs[i].BalancerWeight())
	}
	var wheel []int32
	for _, i := range idx {
		for range recs[i].BalancerWeight() / g {
			wheel = append(wheel, i)
		}
	}
	rand.Shuffle(len(wheel), func(i, j int) { wheel[i], wheel[j] = wheel[j], wheel[i] })
	return wheel
}

// BalancerWeight returns the record's weight as Kong balances it: 0
// counts as 1, the smallest share instead of none.
func (r SRV) BalancerWeight() int { return max(int(r.Weight), 1) }

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// pickAddr returns the next address in turn; the first call gets the
// server's first record.
func (a *Answer) pickAddr() netip.Addr {
	return a.Addrs[(a.next.Add(1)-1)%uint64(len(a.Addrs))]
}

// pickSRV returns the next SRV record by weighted round-robin.
func (a *Answer) pickSRV() SRV {
	return a.SRV[a.wheel[(a.next.Add(1)-1)%uint64(len(a.wheel))]]
}

// canonical returns a DNS name lowercased and without its final dot.
func canonical(name string) string {
	return strings.TrimSuffix(strings.ToLower(name), ".")
}
