package balancer

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// upstream returns a runtime upstream named id with targets "host:port=weight".
func upstream(id, algo string, hc map[string]any, targets ...string) *runtime.Upstream {
	u := &runtime.Upstream{Upstream: &entities.Upstream{ID: id, Name: id, Algorithm: algo,
		HashOn: "none", HashFallback: "none", Slots: 10000, Healthchecks: hc}}
	if algo == "consistent-hashing" {
		u.HashOn = "ip"
	}
	for _, t := range targets {
		name, w, _ := strings.Cut(t, "=")
		weight := 100
		if w != "" {
			fmt.Sscan(w, &weight)
		}
		u.Targets = append(u.Targets, &entities.Target{ID: id + name, UpstreamID: id, Target: name, Weight: weight})
	}
	return u
}

// clone returns a copy of u as a rebuilt snapshot would hold it.
func clone(u *runtime.Upstream) *runtime.Upstream {
	e := *u.Upstream
	c := &runtime.Upstream{Upstream: &e}
	for _, t := range u.Targets {
		tc := *t
		c.Targets = append(c.Targets, &tc)
	}
	return c
}

func newTestSet(t testing.TB, r Resolver) *Set {
	s := NewSet(Options{Resolver: r, DNSInterval: 20 * time.Millisecond, DNSRetry: 20 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)})
	t.Cleanup(func() { s.Close() })
	return s
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fakeResolver answers names from a map that tests change.
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][]netip.Addr
}

func (f *fakeResolver) set(host string, addrs ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.answers == nil {
		f.answers = map[string][]netip.Addr{}
	}
	f.answers[host] = nil
	for _, a := range addrs {
		f.answers[host] = append(f.answers[host], netip.MustParseAddr(a))
	}
}

func (f *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.answers[host]
	if !ok {
		return nil, fmt.Errorf("lookup %s: no such host", host)
	}
	return append([]netip.Addr(nil), a...), nil
}

// pickCounts picks n times, reporting each pick as a success, and counts
// the addresses.
func pickCounts(t testing.TB, b *Balancer, n int, hash func(i int) uint32) map[string]int {
	counts := map[string]int{}
	for i := range n {
		var h uint32
		if hash != nil {
			h = hash(i)
		}
		a, err := b.Pick(h, nil)
		if err != nil {
			t.Fatalf("pick %d: %v", i, err)
		}
		b.Report(a, Outcome{Status: 200})
		counts[a.AddrPort.String()]++
	}
	return counts
}

func nowPlus(d time.Duration) time.Time { return time.Now().Add(d) }
