package balancer

import "math/rand/v2"

// newWheel returns Kong's round-robin wheel: each address appears its
// weight divided by the weights' greatest common divisor times, in a
// random order; requests walk the wheel one slot each.
func newWheel(addrs []*Address) []int32 {
	g := 0
	for _, a := range addrs {
		g = gcd(g, a.Weight)
	}
	var w []int32
	for i, a := range addrs {
		for range a.Weight / g {
			w = append(w, int32(i))
		}
	}
	rand.Shuffle(len(w), func(i, j int) { w[i], w[j] = w[j], w[i] })
	return w
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// roundRobin returns the address of wheel slot n, or of the next usable
// slot.
func (v *view) roundRobin(n uint64, tried []*Address) *Address {
	size := uint64(len(v.wheel))
	for k := range size {
		a := v.addrs[v.wheel[(n+k)%size]]
		if usable(a, tried) {
			return a
		}
	}
	return nil
}
