package balancer

import (
	"errors"
	"slices"
	"testing"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/runtime"
)

func TestDNSChangesTargets(t *testing.T) {
	r := &fakeResolver{}
	r.set("api.test", "10.0.0.1")
	s := newTestSet(t, r)
	u := upstream("u", "round-robin", nil, "api.test:8080", "10.0.0.9:80=0")
	b := s.Get(u)
	if counts := pickCounts(t, b, 4, nil); counts["10.0.0.1:8080"] != 4 {
		t.Fatalf("picks %v", counts)
	}

	r.set("api.test", "10.0.0.2", "10.0.0.3")
	eventually(t, "the new addresses", func() bool {
		c := pickCounts(t, b, 4, nil)
		return c["10.0.0.2:8080"] == 2 && c["10.0.0.3:8080"] == 2
	})
	st, _ := s.Status("u")
	if got := st.Targets[0]; got.DNS != "A" || len(got.Addresses) != 2 || got.DNSError {
		t.Fatalf("status %+v", got)
	}

	r.set("api.test") // an empty answer
	eventually(t, "no addresses", func() bool {
		_, err := b.Pick(0, nil)
		return errors.Is(err, ErrNoPeer)
	})
	if h := addressHealth(s, "u", "api.test:8080"); h != dnsError {
		t.Fatalf("health %s", h)
	}

	r.set("api.test", "10.0.0.4")
	eventually(t, "the name back", func() bool {
		a, err := b.Pick(0, nil)
		return err == nil && a.AddrPort.String() == "10.0.0.4:8080"
	})
}

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
