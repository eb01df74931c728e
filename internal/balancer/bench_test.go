package balancer

import (
	"strconv"
	"testing"
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
