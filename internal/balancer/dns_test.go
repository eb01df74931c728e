package balancer

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/runtime"
	"github.com/silverback-gw/silverback/internal/testutil/dnstest"
)

// TestDNSChangesTargets: a name target's addresses follow its answer
// when the answer's TTL ends, not before, keeping the health of the
// addresses that remain; a name without records is DNS_ERROR and comes
// back when it resolves again.
func TestDNSChangesTargets(t *testing.T) {
	srv, c := newDNS(t)
	srv.A("api.test", 1, "10.0.0.1", "10.0.0.2")
	s := newTestSet(t, c)
	hc := map[string]any{"passive": map[string]any{"unhealthy": map[string]any{"tcp_failures": int64(1)}}}
	start := time.Now()
	b := s.Get(upstream("u", "round-robin", hc, "api.test:8080", "10.0.0.9:80=0"))
	if counts := pickCounts(t, b, 4, nil); counts["10.0.0.1:8080"] != 2 || counts["10.0.0.2:8080"] != 2 {
		t.Fatalf("picks %v", counts)
	}
	down, _ := b.Pick(0, nil)
	b.Report(down, Outcome{Failure: FailureTCP}) // one address unhealthy

	srv.A("api.test", 1, "10.0.0.1", "10.0.0.2", "10.0.0.3")
	for time.Since(start) < 800*time.Millisecond {
		if n := len(b.view.Load().addrs); n != 2 {
			t.Fatalf("%d addresses within the answer's TTL", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	eventually(t, "the third address", func() bool { return len(b.view.Load().addrs) == 3 })
	for _, a := range b.view.Load().addrs {
		if a.AddrPort == down.AddrPort && (a != down || a.health.isHealthy()) {
			t.Fatal("the unhealthy address lost its state")
		}
	}
	st, _ := s.Status("u")
	if got := st.Targets[0]; got.DNS != "A" || len(got.Addresses) != 3 || got.DNSError {
		t.Fatalf("status %+v", got)
	}

	srv.Remove("api.test")
	eventually(t, "no addresses", func() bool {
		_, err := b.Pick(0, nil)
		return errors.Is(err, ErrNoPeer)
	})
	st, _ = s.Status("u")
	if h := addressHealth(s, "u", "api.test:8080"); h != dnsError || st.Targets[0].DNS != "dns server error: 3 name error" {
		t.Fatalf("health %s, dns %q", h, st.Targets[0].DNS)
	}

	srv.A("api.test", 60, "10.0.0.4")
	eventually(t, "the name back", func() bool {
		a, err := b.Pick(0, nil)
		return err == nil && a.AddrPort.String() == "10.0.0.4:8080"
	})
}

// TestDNSStaleTargets: when the name server stops answering, a target
// keeps the addresses of its expired answer.
func TestDNSStaleTargets(t *testing.T) {
	srv, c := newDNS(t)
	srv.A("stale.test", 1, "10.0.0.1")
	b := newTestSet(t, c).Get(upstream("u", "round-robin", nil, "stale.test:80"))
	srv.Silence(true)
	time.Sleep(2500 * time.Millisecond)
	if counts := pickCounts(t, b, 2, nil); counts["10.0.0.1:80"] != 2 {
		t.Fatalf("picks %v", counts)
	}
}

// TestSRVTargets: an SRV answer gives an address per record of the
// lowest priority with the record's port (the target's when 0) and weight
// (1 when 0); picks follow the weights; use_srv_name sends the record's
// target name upstream; a record's target with several addresses is
// connected to in turn.
func TestSRVTargets(t *testing.T) {
	srv, c := newDNS(t)
	srv.SRV("_http._tcp.svc.test", 60,
		dnstest.SRV{Target: "a.svc.test", Port: 9001, Weight: 30, Priority: 10},
		dnstest.SRV{Target: "b.svc.test", Port: 0, Weight: 10, Priority: 10},
		dnstest.SRV{Target: "c.svc.test", Port: 9003, Weight: 0, Priority: 10},
		dnstest.SRV{Target: "backup.svc.test", Port: 9004, Weight: 100, Priority: 20})
	srv.A("a.svc.test", 60, "10.0.1.1")
	srv.A("b.svc.test", 60, "10.0.1.2")
	srv.A("c.svc.test", 60, "10.0.1.3", "10.0.1.4")
	srv.A("backup.svc.test", 60, "10.0.1.5")
	s := newTestSet(t, c)
	u := upstream("u", "round-robin", nil, "_http._tcp.svc.test:8000=25")
	b := s.Get(u)

	st, _ := s.Status("u")
	type addr struct {
		name, ip string
		port     int
		weight   int
	}
	var got []addr
	for _, a := range st.Targets[0].Addresses {
		got = append(got, addr{a.Name, a.IP.String(), a.Port, a.Weight})
	}
	want := []addr{{"a.svc.test", "10.0.1.1", 9001, 30}, {"b.svc.test", "10.0.1.2", 8000, 10}, {"c.svc.test", "10.0.1.3", 9003, 1}}
	if st.Targets[0].DNS != "SRV" || !slices.Equal(got, want) {
		t.Fatalf("status %s %+v, want %+v", st.Targets[0].DNS, got, want)
	}

	counts := pickCounts(t, b, 410, nil)
	if counts["10.0.1.1:9001"] != 300 || counts["10.0.1.2:8000"] != 100 || counts["10.0.1.3:9003"] != 10 {
		t.Fatalf("picks %v", counts)
	}

	ups := map[string]*runtime.Upstream{"u": u}
	srvName := clone(u)
	srvName.ID, srvName.UseSRVName = "v", true
	ups["v"] = srvName
	hosts := map[string]map[string]bool{}
	dials := map[string]bool{}
	for _, name := range []string{"u", "v"} {
		hosts[name] = map[string]bool{}
		for range 410 {
			var tr Tries
			p, perr := tr.Prepare(t.Context(), s, nil, ups, name, 80, fakeRequest{})
			if perr != nil {
				t.Fatal(perr)
			}
			tr.Report(Outcome{Status: 200})
			hosts[name][p.Hostname] = true
			if p.Addr.Port() == 9003 {
				dials[p.Addr.String()] = true
			}
		}
	}
	if len(hosts["u"]) != 1 || !hosts["u"]["_http._tcp.svc.test"] || len(hosts["v"]) != 3 || !hosts["v"]["c.svc.test"] {
		t.Fatalf("hostnames %v", hosts)
	}
	if len(dials) != 2 {
		t.Fatalf("c.svc.test's addresses dialled: %v", dials)
	}
}

// TestSetFollowsSnapshots: a rebuild with the same upstream keeps its
// balancer; changed targets keep it and its addresses' health; a changed
// upstream replaces it; a deleted one stops it.
func TestSetFollowsSnapshots(t *testing.T) {
	s := newTestSet(t, nil)
	u := upstream("u", "round-robin", nil, "10.0.0.1:80")
	b := s.Get(u)
	tests := []struct {
		name string
		next func() *Balancer
		same bool
	}{
		{"unchanged rebuild", func() *Balancer { return s.Get(clone(u)) }, true},
		{"targets reordered", func() *Balancer {
			v := b.view.Load()
			c := clone(u)
			c.Targets = append(c.Targets, &entities.Target{Target: "10.0.0.7:80", Weight: 0})
			slices.Reverse(c.Targets)
			s.Get(c)
			c2 := clone(c)
			slices.Reverse(c2.Targets)
			nb := s.Get(c2)
			if nb.view.Load() != v && len(nb.view.Load().addrs) != 1 {
				t.Fatal("reordering rebuilt the view")
			}
			return s.Get(clone(u))
		}, true},
		{"tags changed", func() *Balancer {
			c := clone(u)
			c.Tags = []string{"new"}
			return s.Get(c)
		}, true},
		{"targets changed", func() *Balancer {
			return s.Get(upstream("u", "round-robin", nil, "10.0.0.1:80", "10.0.0.2:80"))
		}, true},
		{"upstream changed", func() *Balancer { return s.Get(upstream("u", "least-connections", nil, "10.0.0.1:80")) }, false},
	}
	for _, tt := range tests {
		nb := tt.next()
		if (nb == b) != tt.same {
			t.Fatalf("%s: same balancer %v", tt.name, nb == b)
		}
		if !tt.same && b.ctx.Err() == nil {
			t.Fatalf("%s: the replaced balancer was not stopped", tt.name)
		}
		b = nb
	}
	if err := s.SetTargetHealth("u", "10.0.0.1:80", "", false); err != nil {
		t.Fatal(err)
	}
	s.Sync(&runtime.Snapshot{Upstreams: map[string]*runtime.Upstream{"u": upstream("u", "least-connections", nil, "10.0.0.1:80", "10.0.0.3:80")}})
	if s.lookup("u") != b || addressHealth(s, "u", "10.0.0.1:80") != checksOff || b.available.Load() != 100 {
		t.Fatal("a targets change lost the balancer or its health")
	}
	s.Sync(&runtime.Snapshot{Upstreams: map[string]*runtime.Upstream{}})
	if s.lookup("u") != nil || b.ctx.Err() == nil {
		t.Fatal("the balancer of a deleted upstream was kept")
	}
}
