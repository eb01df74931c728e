package balancer

// leastConn returns the usable address with the fewest connections in
// flight for its weight, (in flight + 1) / weight as Kong's heap orders
// them; ties go round-robin from start.
func (v *view) leastConn(start uint64, tried []*Address) *Address {
	var best *Address
	var bestIn, bestW int64
	n := uint64(len(v.addrs))
	for k := range n {
		a := v.addrs[(start+k)%n]
		if !usable(a, tried) {
			continue
		}
		in, w := a.inflight.Load()+1, int64(a.Weight)
		// in/w < bestIn/bestW without division.
		if best == nil || in*bestW < bestIn*w {
			best, bestIn, bestW = a, in, w
		}
	}
	return best
}
