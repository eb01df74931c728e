package proxy

import (
	"net"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/silverback-gw/silverback/internal/runtime"
)

// balancers keeps the round-robin state of each upstream entity, keyed by
// its id, outside the immutable snapshot: a configuration rebuild does not
// send every upstream back to its first target.
type balancers struct {
	m sync.Map // upstream id → *rrState
}

// rrState is one upstream's round-robin position and its ring, rebuilt
// when the snapshot's upstream (or its targets) changes.
type rrState struct {
	next atomic.Uint64
	ring atomic.Pointer[ring]
}

// ring is an upstream's targets with a weight above zero, in a
// deterministic order, with their weights divided by their greatest common
// divisor and accumulated: request n goes to the target whose cumulative
// range holds n mod total. Targets of weight 0 are disabled, as in Kong.
type ring struct {
	src     *runtime.Upstream
	targets []ringTarget
	cum     []uint64
}

// ringTarget is one target's address.
type ringTarget struct {
	host string     // the target's host: a name or an IP literal
	ip   netip.Addr // set when host is an IP literal
	port int
}

// get returns the upstream's state and a ring built from u.
func (b *balancers) get(u *runtime.Upstream) (*rrState, *ring) {
	v, ok := b.m.Load(u.ID)
	if !ok {
		v, _ = b.m.LoadOrStore(u.ID, new(rrState))
	}
	st := v.(*rrState)
	r := st.ring.Load()
	if r == nil || r.src != u {
		r = newRing(u)
		st.ring.Store(r) // racing builders store equal rings
	}
	return st, r
}

func newRing(u *runtime.Upstream) *ring {
	r := &ring{src: u}
	var weights []uint64
	for _, t := range u.Targets {
		if t.Weight <= 0 {
			continue
		}
		host, portText, err := net.SplitHostPort(t.Target)
		if err != nil {
			continue
		}
		port, err := strconv.Atoi(portText)
		if err != nil {
			continue
		}
		rt := ringTarget{host: host, port: port}
		if ip, err := netip.ParseAddr(host); err == nil {
			rt.ip = ip.Unmap()
		}
		r.targets = append(r.targets, rt)
		weights = append(weights, uint64(t.Weight))
	}
	g := uint64(0)
	for _, w := range weights {
		g = gcd(g, w)
	}
	var total uint64
	for _, w := range weights {
		total += w / g
		r.cum = append(r.cum, total)
	}
	return r
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// index returns the target of the n-th request.
func (r *ring) index(n uint64) int {
	x := n % r.cum[len(r.cum)-1]
	i, _ := slices.BinarySearchFunc(r.cum, x, func(c, x uint64) int {
		if c <= x {
			return -1
		}
		return 1
	})
	return i
}
