package balancer

import (
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
)

// checks is an upstream's healthchecks record, decoded once per balancer.
type checks struct {
	active    activeChecks
	passive   counters
	threshold float64
}

// activeChecks is healthchecks.active.
type activeChecks struct {
	typ            string // tcp, http or https; grpc and grpcs never probe
	timeout        time.Duration
	concurrency    int
	path           string
	sni            string
	verify         bool
	headers        map[string][]string
	healthyEvery   time.Duration
	unhealthyEvery time.Duration
	counters       counters
}

// counters are the thresholds and status lists of one kind of check; a
// zero threshold disables its transition.
type counters struct {
	healthyStatuses   map[int]bool
	successes         int
	unhealthyStatuses map[int]bool
	tcpFailures       int
	timeouts          int
	httpFailures      int
}

// inUse reports whether health checks are in use (Kong: an active interval
// or a passive unhealthy counter is set).
func (c *checks) inUse() bool {
	return c.active.healthyEvery > 0 || c.active.unhealthyEvery > 0 ||
		c.passive.tcpFailures > 0 || c.passive.timeouts > 0 || c.passive.httpFailures > 0
}

// activeOn reports whether active probes run.
func (c *checks) activeOn() bool {
	return c.active.healthyEvery > 0 || c.active.unhealthyEvery > 0
}

// decodeChecks reads the validated healthchecks record of u.
func decodeChecks(u *entities.Upstream) checks {
	hc := u.Healthchecks
	a, p := sub(hc, "active"), sub(hc, "passive")
	ah, au := sub(a, "healthy"), sub(a, "unhealthy")
	ph, pu := sub(p, "healthy"), sub(p, "unhealthy")
	c := checks{threshold: num(hc, "threshold", 0)}
	c.active = activeChecks{
		typ:            str(a, "type", "http"),
		timeout:        seconds(num(a, "timeout", 1)),
		concurrency:    int(num(a, "concurrency", 10)),
		path:           str(a, "http_path", "/"),
		sni:            str(a, "https_sni", ""),
		verify:         boolean(a, "https_verify_certificate", true),
		healthyEvery:   seconds(num(ah, "interval", 0)),
		unhealthyEvery: seconds(num(au, "interval", 0)),
		counters: counters{
			healthyStatuses:   statusSet(ah, "http_statuses", 200, 302),
			successes:         int(num(ah, "successes", 0)),
			unhealthyStatuses: statusSet(au, "http_statuses", 429, 404, 500, 501, 502, 503, 504, 505),
			tcpFailures:       int(num(au, "tcp_failures", 0)),
			timeouts:          int(num(au, "timeouts", 0)),
			httpFailures:      int(num(au, "http_failures", 0)),
		},
	}
	if c.active.concurrency < 1 {
		c.active.concurrency = 1
	}
	if h, ok := a["headers"].(map[string]any); ok {
		c.active.headers = make(map[string][]string, len(h))
		for k, v := range h {
			for _, s := range list(v) {
				if s, ok := s.(string); ok {
					c.active.headers[k] = append(c.active.headers[k], s)
				}
			}
		}
	}
	c.passive = counters{
		healthyStatuses: statusSet(ph, "http_statuses", 200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
			300, 301, 302, 303, 304, 305, 306, 307, 308),
		successes:         int(num(ph, "successes", 0)),
		unhealthyStatuses: statusSet(pu, "http_statuses", 429, 500, 503),
		tcpFailures:       int(num(pu, "tcp_failures", 0)),
		timeouts:          int(num(pu, "timeouts", 0)),
		httpFailures:      int(num(pu, "http_failures", 0)),
	}
	return c
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

func sub(m map[string]any, k string) map[string]any {
	v, _ := m[k].(map[string]any)
	return v
}

func str(m map[string]any, k, def string) string {
	if v, ok := m[k].(string); ok {
		return v
	}
	return def
}

func boolean(m map[string]any, k string, def bool) bool {
	if v, ok := m[k].(bool); ok {
		return v
	}
	return def
}

func num(m map[string]any, k string, def float64) float64 {
	switch v := m[k].(type) {
	case int:
		return float64(v)
	case int64:
		return float64(v)
	case float64:
		return v
	}
	return def
}

func list(v any) []any {
	switch v := v.(type) {
	case []any:
		return v
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
	}
	return nil
}

func statusSet(m map[string]any, k string, def ...int) map[int]bool {
	set := make(map[int]bool)
	v, ok := m[k]
	if !ok {
		for _, c := range def {
			set[c] = true
		}
		return set
	}
	for _, c := range list(v) {
		if f := num(map[string]any{"": c}, "", 0); f > 0 {
			set[int(f)] = true
		}
	}
	return set
}
