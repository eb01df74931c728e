package balancer

import (
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// latencyDecay is the time constant of the latency EWMA (Kong: 10 s).
const latencyDecay = 10 * time.Second

// latency is an address's exponentially weighted moving average of
// connect-to-response time.
type latency struct {
	mu   sync.Mutex
	ewma float64 // seconds; 0 before the first sample
	last time.Time
}

// observe folds a sample taken at now into the average.
func (l *latency) observe(d time.Duration, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := d.Seconds()
	if l.last.IsZero() {
		l.ewma, l.last = s, now
		return
	}
	w := math.Exp(-float64(now.Sub(l.last)) / float64(latencyDecay))
	l.ewma = l.ewma*w + s*(1-w)
	l.last = now
}

func (l *latency) value() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ewma
}

// fastest picks the better of two random usable addresses by EWMA over
// weight, as Kong's latency balancer does; an address without samples
// scores the average of those with, so it gets tried.
func (v *view) fastest(tried []*Address) *Address {
	var sum float64
	var seen, usables int
	for _, a := range v.addrs {
		if !usable(a, tried) {
			continue
		}
		usables++
		if e := a.lat.value(); e > 0 {
			sum += e
			seen++
		}
	}
	switch usables {
	case 0:
		return nil
	case 1:
		return v.nthUsable(0, tried)
	}
	avg := 0.0
	if seen > 0 {
		avg = sum / float64(seen)
	}
	score := func(a *Address) float64 {
		e := a.lat.value()
		if e == 0 {
			e = avg
		}
		return e / float64(a.Weight)
	}
	i := rand.IntN(usables)
	j := rand.IntN(usables - 1)
	if j >= i {
		j++
	}
	x, y := v.nthUsable(i, tried), v.nthUsable(j, tried)
	if score(y) < score(x) {
		return y
	}
	return x
}

// nthUsable returns the n-th usable address.
func (v *view) nthUsable(n int, tried []*Address) *Address {
	for _, a := range v.addrs {
		if usable(a, tried) {
			if n == 0 {
				return a
			}
			n--
		}
	}
	return nil
}
