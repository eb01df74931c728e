package balancer

import (
	"sync"
	"sync/atomic"
)

// health is an address's health and its consecutive-event counters,
// shared by active and passive checks as in lua-resty-healthcheck. Picks
// read healthy without the lock; changes happen under it.
type health struct {
	healthy                             atomic.Bool
	mu                                  sync.Mutex
	successes, tcp, timeouts, httpFails int
}

// event is one health check observation.
type event uint8

const (
	evSuccess event = iota
	evTCP
	evTimeout
	evHTTP
	evIgnore // an observation that counts for nothing
)

func (h *health) isHealthy() bool { return h.healthy.Load() }

// record counts e against the thresholds of c and reports whether the
// address changed state: a success resets the failure counters and
// `successes` in a row make it healthy; a failure resets the successes and
// reaching a failure threshold makes it unhealthy. A zero threshold
// disables its transition.
func (h *health) record(e event, c *counters) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if e == evSuccess {
		h.tcp, h.timeouts, h.httpFails = 0, 0, 0
		h.successes++
		if !h.healthy.Load() && c.successes > 0 && h.successes >= c.successes {
			h.healthy.Store(true)
			h.successes = 0
			return true
		}
		return false
	}
	h.successes = 0
	var n *int
	var limit int
	switch e {
	case evTCP:
		n, limit = &h.tcp, c.tcpFailures
	case evTimeout:
		n, limit = &h.timeouts, c.timeouts
	default:
		n, limit = &h.httpFails, c.httpFailures
	}
	*n++
	if h.healthy.Load() && limit > 0 && *n >= limit {
		h.healthy.Store(false)
		h.tcp, h.timeouts, h.httpFails = 0, 0, 0
		return true
	}
	return false
}

// set forces the state (the admin API's healthy/unhealthy) and resets the
// counters; it reports whether the state changed.
func (h *health) set(healthy bool) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	changed := h.healthy.Swap(healthy) != healthy
	h.successes, h.tcp, h.timeouts, h.httpFails = 0, 0, 0, 0
	return changed
}

// observe records e for a and refreshes the balancer's available weight
// when a changed state.
func (b *Balancer) observe(a *Address, e event, c *counters) {
	if e != evIgnore && a.health.record(e, c) {
		b.set.log.Info("upstream address health changed", "upstream", b.name,
			"target", a.target, "address", a.AddrPort, "healthy", a.health.isHealthy())
		b.updateAvailable()
	}
}
