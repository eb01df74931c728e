package balancer

import (
	"context"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/silverback-gw/silverback/internal/dns"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// Options configure a Set.
type Options struct {
	// DNS resolves target names; nil means a client with kong.conf's
	// defaults (the system's name servers and hosts file).
	DNS *dns.Client
	// DNSRetry is how soon a name that failed is tried again; 0 means
	// 30 s, as Kong retries failed queries.
	DNSRetry time.Duration
	// Logger receives health changes; nil means slog.Default().
	Logger *slog.Logger
}

// Set is the balancers of the current configuration's upstreams, by
// upstream id. It outlives snapshots: Sync (or Run) follows them, Get
// serves the proxy.
type Set struct {
	dns      *dns.Client
	dnsRetry time.Duration
	log      *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc

	m  sync.Map   // upstream id → *Balancer
	mu sync.Mutex // serializes creating, updating and stopping balancers

	synced atomic.Pointer[synced] // the last snapshot synced, for the probes
}

// NewSet returns an empty Set; Close stops its balancers.
func NewSet(opts Options) *Set {
	s := &Set{dns: opts.DNS, dnsRetry: opts.DNSRetry, log: opts.Logger}
	if s.dns == nil {
		s.dns = dns.New(dns.DefaultConfig())
	}
	if s.dnsRetry <= 0 {
		s.dnsRetry = 30 * time.Second
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// Get returns the balancer of u, creating or updating it when u is not
// the upstream it last served: a balancer whose upstream and targets are
// unchanged is kept as is, one whose targets changed keeps the health of
// the addresses that remain, and one whose upstream changed is replaced.
func (s *Set) Get(u *runtime.Upstream) *Balancer {
	if v, ok := s.m.Load(u.ID); ok {
		if b := v.(*Balancer); b.src.Load() == u {
			return b
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.update(u)
}

// update brings u's balancer up to date; s.mu is held.
func (s *Set) update(u *runtime.Upstream) *Balancer {
	v, ok := s.m.Load(u.ID)
	if !ok {
		b := s.newBalancer(u)
		s.m.Store(u.ID, b)
		return b
	}
	b := v.(*Balancer)
	old := b.src.Load()
	switch {
	case old == u:
	case !sameUpstream(old, u):
		b.stop()
		b = s.newBalancer(u)
		s.m.Store(u.ID, b)
	default:
		if !sameTargets(old, u) {
			b.setTargets(u.Targets)
		}
		b.src.Store(u)
	}
	return b
}

// sameUpstream reports whether a and b balance alike: every field but the
// tags is equal.
func sameUpstream(a, b *runtime.Upstream) bool {
	x, y := *a.Upstream, *b.Upstream
	x.Tags, y.Tags = nil, nil
	return reflect.DeepEqual(x, y)
}

// sameTargets reports whether a and b have the same targets and weights,
// in any order.
func sameTargets(a, b *runtime.Upstream) bool {
	if len(a.Targets) != len(b.Targets) {
		return false
	}
	weights := make(map[string]int, len(a.Targets))
	for _, t := range a.Targets {
		weights[t.Target] = t.Weight
	}
	for _, t := range b.Targets {
		if w, ok := weights[t.Target]; !ok || w != t.Weight {
			return false
		}
	}
	return true
}

// Sync makes the set follow snap: balancers of its upstreams are created
// or updated (starting their health checks), those of upstreams that went
// away are stopped.
func (s *Set) Sync(snap *runtime.Snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.synced.Store(newSynced(snap))
	live := make(map[string]bool, len(snap.Upstreams))
	for _, u := range snap.Upstreams {
		live[u.ID] = true
		s.update(u)
	}
	s.m.Range(func(k, v any) bool {
		if !live[k.(string)] {
			v.(*Balancer).stop()
			s.m.Delete(k)
		}
		return true
	})
}

// Source gives the current runtime snapshot; *runtime.Holder is one.
type Source interface {
	Load() *runtime.Snapshot
}

// Run syncs the set with src's snapshot whenever it changes, checking
// every interval, until ctx ends.
func (s *Set) Run(ctx context.Context, src Source, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var last *runtime.Snapshot
	for {
		if snap := src.Load(); snap != nil && snap != last {
			s.Sync(snap)
			last = snap
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close stops every balancer's health checks and DNS refreshes.
func (s *Set) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancel()
	s.m.Range(func(k, v any) bool {
		v.(*Balancer).stop()
		s.m.Delete(k)
		return true
	})
	return nil
}

// lookup returns the balancer of an upstream id.
func (s *Set) lookup(id string) *Balancer {
	v, ok := s.m.Load(id)
	if !ok {
		return nil
	}
	return v.(*Balancer)
}
