package balancer

import (
	"errors"
	"hash/crc32"
	"math"
	"strconv"
	"testing"
)

func TestRoundRobinWeights(t *testing.T) {
	tests := []struct {
		name    string
		targets []string
	}{
		{"equal", []string{"10.0.0.1:80", "10.0.0.2:80"}},
		{"weighted", []string{"10.0.0.1:80=100", "10.0.0.2:80=50", "10.0.0.3:80=25"}},
		{"coprime", []string{"10.0.0.1:80=3", "10.0.0.2:80=7"}},
		{"disabled", []string{"10.0.0.1:80=10", "10.0.0.2:80=0", "10.0.0.3:80=30"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := upstream("u", "round-robin", nil, tt.targets...)
			b := newTestSet(t, nil).Get(u)
			const n = 10000
			counts := pickCounts(t, b, n, nil)
			var total int
			for _, tg := range u.Targets {
				total += tg.Weight
			}
			for _, tg := range u.Targets {
				want := float64(tg.Weight) / float64(total)
				got := float64(counts[tg.Target]) / n
				if math.Abs(got-want) > 0.02 {
					t.Errorf("%s: share %.3f, want %.3f", tg.Target, got, want)
				}
			}
		})
	}
}

func TestRetryAvoidsTriedAddresses(t *testing.T) {
	for _, algo := range []string{"round-robin", "consistent-hashing", "least-connections", "latency"} {
		t.Run(algo, func(t *testing.T) {
			b := newTestSet(t, nil).Get(upstream("u", algo, nil, "10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"))
			var tried []*Address
			for range 3 {
				a, err := b.Pick(7, tried)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range tried {
					if p == a {
						t.Fatalf("picked %v again", a.AddrPort)
					}
				}
				tried = append(tried, a)
			}
			if _, err := b.Pick(7, tried); !errors.Is(err, ErrNoPeer) {
				t.Fatalf("fourth pick: %v, want ErrNoPeer", err)
			}
		})
	}
}

func TestNoPeer(t *testing.T) {
	tests := []struct {
		name    string
		targets []string
	}{
		{"no targets", nil},
		{"weight 0", []string{"10.0.0.1:80=0"}},
		{"unresolvable", []string{"nowhere.test:80"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newDNS(t)
			b := newTestSet(t, c).Get(upstream("u", "round-robin", nil, tt.targets...))
			if _, err := b.Pick(0, nil); !errors.Is(err, ErrNoPeer) || err.Error() != "failure to get a peer from the ring-balancer" {
				t.Fatalf("pick: %v", err)
			}
		})
	}
}

// hashMap maps n keys to addresses.
func hashMap(t *testing.T, b *Balancer, n int) []string {
	out := make([]string, n)
	for i := range n {
		a, err := b.Pick(crc32.ChecksumIEEE([]byte("client-"+strconv.Itoa(i))), nil)
		if err != nil {
			t.Fatal(err)
		}
		b.Report(a, Outcome{Status: 200})
		out[i] = a.AddrPort.String()
	}
	return out
}

func TestConsistentHashingStableAndMinimalMovement(t *testing.T) {
	const keys = 10000
	targets := []string{"10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80"}
	u := upstream("u", "consistent-hashing", nil, targets...)
	s := newTestSet(t, nil)
	before := hashMap(t, s.Get(u), keys)

	// A rebuilt snapshot with the same upstream, and a fresh set (a
	// restart), map every key the same way.
	for name, b := range map[string]*Balancer{
		"rebuild": s.Get(clone(u)),
		"restart": newTestSet(t, nil).Get(clone(u)),
	} {
		after := hashMap(t, b, keys)
		for i := range keys {
			if after[i] != before[i] {
				t.Fatalf("%s: key %d moved from %s to %s", name, i, before[i], after[i])
			}
		}
	}

	// A fifth target takes about a fifth of the keys, and only keys move
	// to it.
	grown := upstream("u", "consistent-hashing", nil, append(targets, "10.0.0.5:80")...)
	after := hashMap(t, s.Get(grown), keys)
	moved := 0
	for i := range keys {
		if after[i] != before[i] {
			moved++
			if after[i] != "10.0.0.5:80" {
				t.Fatalf("key %d moved from %s to %s, not to the new target", i, before[i], after[i])
			}
		}
	}
	if share := float64(moved) / keys; share < 0.12 || share > 0.28 {
		t.Fatalf("%.3f of the keys moved, want about 0.2", share)
	}
}

func TestLeastConnections(t *testing.T) {
	t.Run("prefers idle", func(t *testing.T) {
		b := newTestSet(t, nil).Get(upstream("u", "least-connections", nil, "10.0.0.1:80", "10.0.0.2:80"))
		busy, _ := b.Pick(0, nil)
		for range 20 {
			a, err := b.Pick(0, nil)
			if err != nil {
				t.Fatal(err)
			}
			if a == busy {
				t.Fatalf("picked the busy %v", a.AddrPort)
			}
			b.Report(a, Outcome{Status: 200})
		}
	})
	t.Run("weight aware", func(t *testing.T) {
		// Eight connections held: scores (n+1)/weight give 6 to weight
		// 300 and 2 to weight 100.
		b := newTestSet(t, nil).Get(upstream("u", "least-connections", nil, "10.0.0.1:80=100", "10.0.0.2:80=300"))
		counts := map[int]int{}
		for range 8 {
			a, _ := b.Pick(0, nil)
			counts[a.Weight]++
		}
		if counts[300] != 6 || counts[100] != 2 {
			t.Fatalf("counts by weight %v, want 300:6 100:2", counts)
		}
	})
}

func TestLatencyPrefersFast(t *testing.T) {
	b := newTestSet(t, nil).Get(upstream("u", "latency", nil, "10.0.0.1:80", "10.0.0.2:80"))
	v := b.view.Load()
	for range 10 {
		v.addrs[0].lat.observe(200e6, nowPlus(0))
		v.addrs[1].lat.observe(1e6, nowPlus(0))
	}
	fast := 0
	for range 1000 {
		a, _ := b.Pick(0, nil)
		a.inflight.Add(-1)
		if a == v.addrs[1] {
			fast++
		}
	}
	// Best of two among two addresses: always the faster one.
	if fast != 1000 {
		t.Fatalf("fast address got %d of 1000", fast)
	}
}
