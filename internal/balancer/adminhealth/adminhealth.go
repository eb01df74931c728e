// Package adminhealth serves the Admin API's upstream health endpoints
// from a balancer.Set: it implements admin.Health over the set's status.
// It is a package of its own because the Admin API depends, through the
// plugins, on the proxy, which depends on the balancers.
package adminhealth

import (
	"github.com/silverback-gw/silverback/internal/admin"
	"github.com/silverback-gw/silverback/internal/balancer"
)

// Health is a balancer.Set seen by the Admin API.
type Health struct {
	set *balancer.Set
}

var _ admin.Health = Health{}

// New returns the admin.Health of set.
func New(set *balancer.Set) Health { return Health{set: set} }

// TargetHealth implements admin.Health: each target's addresses and their
// health, keyed by the stored "host:port". Addresses are HEALTHCHECKS_OFF
// when checks are not in use or the target's weight is 0.
func (h Health) TargetHealth(upstreamID string) (map[string]admin.TargetStatus, bool) {
	st, ok := h.set.Status(upstreamID)
	if !ok {
		return nil, false
	}
	out := make(map[string]admin.TargetStatus, len(st.Targets))
	for _, t := range st.Targets {
		out[t.Target] = targetStatus(st.ChecksInUse, t)
	}
	return out, true
}

func targetStatus(checks bool, t balancer.TargetStatus) admin.TargetStatus {
	out := admin.TargetStatus{Host: t.Host, Port: t.Port, DNS: t.DNS, NodeWeight: t.Weight,
		Addresses: []admin.AddressStatus{}}
	on := checks && t.Weight > 0
	for _, a := range t.Addresses {
		health := admin.HealthChecksOff
		if on {
			health = admin.HealthUnhealthy
			if a.Healthy {
				health = admin.HealthHealthy
			}
		}
		ip := a.Name
		if ip == "" {
			ip = a.IP.String()
		}
		out.Addresses = append(out.Addresses, admin.AddressStatus{IP: ip, Port: a.Port, Weight: a.Weight, Health: health})
		out.Weight.Total += a.Weight
		if a.Healthy {
			out.Weight.Available += a.Weight
		} else {
			out.Weight.Unavailable += a.Weight
		}
	}
	return out
}

// BalancerHealth implements admin.Health: balancer_health is HEALTHY when
// the healthy weight is above the threshold, health is HEALTHCHECKS_OFF
// when checks are not in use.
func (h Health) BalancerHealth(upstreamID string) (admin.BalancerStatus, bool) {
	st, ok := h.set.Status(upstreamID)
	if !ok {
		return admin.BalancerStatus{}, false
	}
	d := admin.BalancerDetails{Healthy: st.Healthy, Hosts: []admin.TargetStatus{}}
	for _, t := range st.Targets {
		ts := targetStatus(st.ChecksInUse, t)
		d.Hosts = append(d.Hosts, ts)
		d.Weight.Total += ts.Weight.Total
		d.Weight.Available += ts.Weight.Available
		d.Weight.Unavailable += ts.Weight.Unavailable
	}
	bh := admin.HealthHealthy
	if !st.Healthy {
		bh = admin.HealthUnhealthy
	}
	health := bh
	if !st.ChecksInUse {
		health = admin.HealthChecksOff
	}
	return admin.BalancerStatus{Health: health, BalancerHealth: bh, Details: d}, true
}

// SetTargetHealth implements admin.Health (balancer.Set.SetTargetHealth).
func (h Health) SetTargetHealth(upstreamID, target, address string, healthy bool) error {
	return h.set.SetTargetHealth(upstreamID, target, address, healthy)
}
