package admin

import (
	"net/netip"

	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// Health is the balancer's view of upstream health, behind
// /upstreams/{u}/health and the manual healthy/unhealthy endpoints. The
// balancer package implements it.
type Health interface {
	// TargetHealth returns the status of the upstream's targets keyed by the
	// stored "host:port"; ok is false when the upstream has no balancer.
	TargetHealth(upstreamID string) (status map[string]TargetStatus, ok bool)
	// BalancerHealth returns the status of the upstream's balancer; ok is
	// false when it has none.
	BalancerHealth(upstreamID string) (status BalancerStatus, ok bool)
	// SetTargetHealth marks every address of target ("host:port"), or only
	// address ("ip[:port]", port 8000 when absent) when not empty, healthy
	// or unhealthy. Its error is the 400 message.
	SetTargetHealth(upstreamID, target, address string, healthy bool) error
}

// Health values, as Kong reports them.
const (
	HealthHealthy         = "HEALTHY"
	HealthUnhealthy       = "UNHEALTHY"
	HealthChecksOff       = "HEALTHCHECKS_OFF"
	HealthDNSError        = "DNS_ERROR"
	dnsUnknown            = "unknown"
	balancerHealthyStatus = HealthHealthy
)

// TargetStatus is a balancer target's status (Kong's getTargetStatus).
type TargetStatus struct {
	Host       string          `json:"host"`
	Port       int             `json:"port"`
	DNS        string          `json:"dns"`
	NodeWeight int             `json:"nodeWeight"`
	Weight     WeightStatus    `json:"weight"`
	Addresses  []AddressStatus `json:"addresses"`
}

// WeightStatus sums the weights of addresses.
type WeightStatus struct {
	Total       int `json:"total"`
	Available   int `json:"available"`
	Unavailable int `json:"unavailable"`
}

// AddressStatus is one resolved address of a target; Health is HEALTHY,
// UNHEALTHY or HEALTHCHECKS_OFF.
type AddressStatus struct {
	IP     string `json:"ip"`
	Port   int    `json:"port"`
	Weight int    `json:"weight"`
	Health string `json:"health"`
}

// BalancerStatus is an upstream balancer's status (Kong's get_balancer_health).
type BalancerStatus struct {
	Health         string          `json:"health"`
	BalancerHealth string          `json:"balancer_health"`
	Details        BalancerDetails `json:"details"`
}

// BalancerDetails are the balancer's weights and targets.
type BalancerDetails struct {
	Healthy bool           `json:"healthy"`
	Weight  WeightStatus   `json:"weight"`
	Hosts   []TargetStatus `json:"hosts"`
}

// targetHealth returns the health of one target and its status from the
// balancer (Kong's page_for_upstream_with_health): an address HEALTHY makes
// the target healthy, a target the balancer does not know is DNS_ERROR.
// Without a balancer every target is reported HEALTHCHECKS_OFF with its own
// address when it is an IP literal.
func targetHealth(info map[string]TargetStatus, haveInfo bool, t store.Row) (string, TargetStatus) {
	target, _ := t["target"].(string)
	if !haveInfo {
		return HealthChecksOff, staticTargetStatus(t)
	}
	st, ok := info[target]
	if !ok || len(st.Addresses) == 0 {
		return HealthDNSError, st
	}
	health := HealthChecksOff
	for _, a := range st.Addresses {
		if a.Health == HealthHealthy {
			return HealthHealthy, st
		}
		if a.Health == HealthUnhealthy {
			health = HealthUnhealthy
		}
	}
	return health, st
}

// staticTargetStatus describes a target that no balancer resolved.
func staticTargetStatus(t store.Row) TargetStatus {
	target, _ := t["target"].(string)
	weight := 0
	if w, ok := t["weight"].(int64); ok {
		weight = int(w)
	}
	host, port, _ := schema.SplitHostPort(target)
	st := TargetStatus{Host: host, Port: port, DNS: dnsUnknown, NodeWeight: weight,
		Weight: WeightStatus{Total: weight, Available: weight}, Addresses: []AddressStatus{}}
	if a, err := netip.ParseAddr(trimBrackets(host)); err == nil {
		st.Addresses = append(st.Addresses, AddressStatus{IP: a.String(), Port: port, Weight: weight, Health: HealthChecksOff})
	}
	return st
}

func trimBrackets(h string) string {
	if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
		return h[1 : len(h)-1]
	}
	return h
}

// staticBalancerStatus describes an upstream that has no balancer.
func staticBalancerStatus(targets []store.Row) BalancerStatus {
	d := BalancerDetails{Healthy: true, Hosts: []TargetStatus{}}
	for _, t := range targets {
		st := staticTargetStatus(t)
		d.Hosts = append(d.Hosts, st)
		d.Weight.Total += st.Weight.Total
		d.Weight.Available += st.Weight.Available
	}
	return BalancerStatus{Health: HealthChecksOff, BalancerHealth: balancerHealthyStatus, Details: d}
}
