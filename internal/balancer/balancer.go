package balancer

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// ErrNoPeer is a pick that found no available address: Kong answers it
// with 503 "failure to get a peer from the ring-balancer".
var ErrNoPeer = errors.New("failure to get a peer from the ring-balancer")

// Balancer balances one upstream's tries over the addresses of its
// targets. Its methods are safe for concurrent use.
type Balancer struct {
	set    *Set
	name   string
	algo   string
	hash   hashSpec
	slots  int
	checks checks
	// useSRVName sends an SRV record's target name upstream (Host, SNI)
	// instead of the target's (use_srv_name).
	useSRVName bool

	src  atomic.Pointer[runtime.Upstream] // the snapshot's upstream it serves
	view atomic.Pointer[view]             // the addresses picks choose from

	// next is the round-robin position; available the weight of the
	// healthy addresses, kept for the balancer's threshold.
	next      atomic.Uint64
	available atomic.Int64

	mu      sync.Mutex // guards targets and rebuilding the view
	targets []*target
	kick    chan struct{} // wakes the DNS renewals when targets change

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// target is one targets row: a name or an IP literal, and its addresses.
type target struct {
	key    string // the stored "host:port"
	host   string // the host, IPv6 literals without brackets
	port   int
	weight int
	ip     bool // host is an IP literal
	resolution
}

// Address is one address of a target: what a try connects to.
type Address struct {
	// AddrPort is the address and port: the target's port, or an SRV
	// record's (for an SRV record whose target has several addresses,
	// the first; tries use them in turn).
	AddrPort netip.AddrPort
	// Host is the name sent upstream (Host header and SNI): the target's
	// host, or with use_srv_name the SRV record's target.
	Host string
	// Weight is the target's weight, or the SRV record's.
	Weight int

	target string       // the target's stored "host:port"
	name   string       // the SRV record's target name, "" for an IP
	ips    []netip.Addr // the SRV record's target's addresses, when several
	next   atomic.Uint32

	inflight atomic.Int64
	lat      latency
	health   health
}

// view is an immutable set of addresses with the structure of the
// upstream's algorithm, rebuilt when targets or their addresses change.
type view struct {
	addrs []*Address // addresses of weight above zero
	total int64      // their weight
	wheel []int32    // round-robin: indexes into addrs
	ring  continuum  // consistent-hashing
}

// newBalancer returns the balancer of u, its names resolved and its
// health checks started.
func (s *Set) newBalancer(u *runtime.Upstream) *Balancer {
	b := &Balancer{set: s, name: u.Name, algo: u.Algorithm, hash: hashFrom(u.Upstream), slots: u.Slots,
		checks: decodeChecks(u.Upstream), useSRVName: u.UseSRVName, kick: make(chan struct{}, 1)}
	if b.slots <= 0 {
		b.slots = 10000
	}
	b.ctx, b.cancel = context.WithCancel(s.ctx)
	b.src.Store(u)
	b.setTargets(u.Targets)
	b.wg.Add(1)
	go b.renewLoop()
	if b.checks.activeOn() {
		b.wg.Add(1)
		go b.activeLoop()
	}
	return b
}

// stop ends the balancer's goroutines and waits for them.
func (b *Balancer) stop() {
	b.cancel()
	b.wg.Wait()
}

// setTargets replaces the balancer's targets, keeping the addresses (and
// their health) of targets that remain, and resolves new names.
func (b *Balancer) setTargets(rows []*entities.Target) {
	b.mu.Lock()
	old := make(map[string]target, len(b.targets))
	for _, t := range b.targets {
		old[t.key] = *t
	}
	b.mu.Unlock()
	var ts []*target
	for _, row := range rows {
		host, portText, err := net.SplitHostPort(row.Target)
		if err != nil {
			continue
		}
		port, err := strconv.Atoi(portText)
		if err != nil {
			continue
		}
		t := &target{key: row.Target, host: host, port: port, weight: row.Weight}
		if ip, err := netip.ParseAddr(host); err == nil {
			t.ip = true
			t.source = "A"
			if ip.Is6() {
				t.source = "AAAA"
			}
			t.addrs = []*Address{newAddress(t, []netip.Addr{ip.Unmap()}, uint16(port), host, "", t.weight)}
		}
		if o, ok := old[t.key]; ok && o.weight == t.weight {
			t.resolution = o.resolution
		} else if !t.ip {
			t.resolution = b.resolve(t, nil)
		}
		ts = append(ts, t)
	}
	b.mu.Lock()
	b.targets = ts
	b.rebuild()
	b.mu.Unlock()
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// newAddress returns a healthy address of t: ips (the first, or each in
// turn) and port, sent upstream as host; name is an SRV record's target.
func newAddress(t *target, ips []netip.Addr, port uint16, host, name string, weight int) *Address {
	a := &Address{AddrPort: netip.AddrPortFrom(ips[0], port), Host: host, Weight: weight, target: t.key, name: name}
	if len(ips) > 1 {
		a.ips = ips
	}
	a.health.healthy.Store(true)
	return a
}

// dial returns the address a try connects to: AddrPort, or the next of
// an SRV record's target's addresses.
func (a *Address) dial() netip.AddrPort {
	if a.ips == nil {
		return a.AddrPort
	}
	return netip.AddrPortFrom(a.ips[a.next.Add(1)%uint32(len(a.ips))], a.AddrPort.Port())
}

// rebuild makes the view of the current targets; b.mu is held.
func (b *Balancer) rebuild() {
	v := &view{}
	for _, t := range b.targets {
		if t.weight <= 0 {
			continue
		}
		for _, a := range t.addrs {
			v.addrs = append(v.addrs, a)
			v.total += int64(a.Weight)
		}
	}
	switch b.algo {
	case "consistent-hashing":
		v.ring = newContinuum(v.addrs, b.slots)
	case "round-robin", "":
		v.wheel = newWheel(v.addrs)
	}
	b.view.Store(v)
	b.updateAvailable()
}

// updateAvailable recomputes the weight of the healthy addresses.
func (b *Balancer) updateAvailable() {
	v := b.view.Load()
	var w int64
	for _, a := range v.addrs {
		if a.health.isHealthy() {
			w += int64(a.Weight)
		}
	}
	b.available.Store(w)
}

// healthy reports whether the balancer may pick: the healthy weight is
// above the upstream's threshold percentage of the total.
func (b *Balancer) healthy(v *view) bool {
	if v.total == 0 {
		return false
	}
	return float64(b.available.Load())*100/float64(v.total) > b.checks.threshold
}

// Pick returns the address of a try and counts it in flight until
// Report. hash is the request's hash (Hash; ignored by the other
// algorithms); tried are the addresses of the request's earlier tries,
// which are avoided. The error is ErrNoPeer.
func (b *Balancer) Pick(hash uint32, tried []*Address) (*Address, error) {
	v := b.view.Load()
	if !b.healthy(v) {
		return nil, ErrNoPeer
	}
	var a *Address
	switch b.algo {
	case "consistent-hashing":
		a = v.ring.pick(hash, tried)
	case "least-connections":
		a = v.leastConn(b.next.Add(1), tried)
	case "latency":
		a = v.fastest(tried)
	default:
		a = v.roundRobin(b.next.Add(1)-1, tried)
	}
	if a == nil {
		return nil, ErrNoPeer
	}
	a.inflight.Add(1)
	return a, nil
}

// usable reports whether a may be picked for a request that tried tried.
func usable(a *Address, tried []*Address) bool {
	if !a.health.isHealthy() {
		return false
	}
	for _, t := range tried {
		if t == a {
			return false
		}
	}
	return true
}

// Outcome is the result of one try, as the proxy saw it.
type Outcome struct {
	// Failure is the try's failure: FailureNone when a response came.
	Failure Failure
	// Status is the response status when Failure is FailureNone.
	Status int
	// Latency is the time from connecting to the end of the response; 0
	// when not measured.
	Latency time.Duration
}

// Failure is how a try failed.
type Failure uint8

// Try failures.
const (
	FailureNone    Failure = iota // a response arrived
	FailureTCP                    // connecting, sending or reading failed
	FailureTimeout                // a timeout expired
)

// Report ends a try picked by Pick: the address leaves the in-flight
// count, its latency is recorded, and the outcome feeds the passive
// health checks.
func (b *Balancer) Report(a *Address, o Outcome) {
	a.inflight.Add(-1)
	if o.Failure == FailureNone && o.Latency > 0 {
		a.lat.observe(o.Latency, time.Now())
	}
	b.passive(a, o)
}
