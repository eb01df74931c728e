package balancer

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/dns"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/runtime"
	"github.com/silverback-gw/silverback/internal/testutil/dnstest"
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

// newTestSet returns a set resolving with c (nil: a client with
// kong.conf's defaults, for tests whose targets are IPs) that retries
// failed names after 20 ms.
func newTestSet(t testing.TB, c *dns.Client) *Set {
	s := NewSet(Options{DNS: c, DNSRetry: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	t.Cleanup(func() { s.Close() })
	return s
}

// newDNS returns a DNS server and a client asking it that keeps "not
// found" answers and errors for 50 ms.
func newDNS(t testing.TB) (*dnstest.Server, *dns.Client) {
	srv := dnstest.New(t)
	cfg := srv.Config(t)
	cfg.NotFoundTTL, cfg.ErrorTTL = 50*time.Millisecond, 50*time.Millisecond
	return srv, dns.New(cfg)
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
