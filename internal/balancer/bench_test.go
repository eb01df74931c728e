package balancer

import (
	"strconv"
	"testing"

	"github.com/silverback-gw/silverback/internal/testutil/dnstest"
)

func BenchmarkPick(b *testing.B) {
	for _, algo := range []string{"round-robin", "consistent-hashing", "least-connections", "latency"} {
		b.Run(algo, func(b *testing.B) {
			var targets []string
			for i := range 10 {
				targets = append(targets, "10.0.0."+strconv.Itoa(i+1)+":80="+strconv.Itoa(50+10*i))
			}
			bal := newTestSet(b, nil).Get(upstream("u", algo, nil, targets...))
			var h uint32
			b.ReportAllocs()
			for b.Loop() {
				h += 2654435761
				a, err := bal.Pick(h, nil)
				if err != nil {
					b.Fatal(err)
				}
				bal.Report(a, Outcome{Status: 200, Latency: 1000})
			}
		})
	}
}

// BenchmarkHostPeer is a service host's first peer and a retry from the
// DNS cache: A round-robin, and an SRV record by weight then its target's
// address.
func BenchmarkHostPeer(b *testing.B) {
	srv, c := newDNS(b)
	srv.A("a.test", 3600, "10.0.0.1", "10.0.0.2")
	srv.SRV("srv.test", 3600, dnstest.SRV{Target: "a.test", Port: 81, Weight: 2}, dnstest.SRV{Target: "a.test", Port: 82, Weight: 1})
	hosts := NewHosts(c)
	for _, host := range []string{"a.test", "srv.test"} {
		b.Run(host, func(b *testing.B) {
			var tr Tries
			b.ReportAllocs()
			for b.Loop() {
				if _, perr := tr.Prepare(b.Context(), nil, hosts, nil, host, 80, fakeRequest{}); perr != nil {
					b.Fatal(perr)
				}
				if _, ok := tr.Next(1); !ok {
					b.Fatal("no retry peer")
				}
			}
		})
	}
}
