package balancer

import (
	"errors"
	"net"
	"net/netip"
	"strconv"

	"github.com/silverback-gw/silverback/internal/admin"
)

var _ admin.Health = (*Set)(nil)

// TargetHealth implements admin.Health: each target's addresses and their
// health, keyed by the stored "host:port".
func (s *Set) TargetHealth(upstreamID string) (map[string]admin.TargetStatus, bool) {
	b := s.lookup(upstreamID)
	if b == nil {
		return nil, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]admin.TargetStatus, len(b.targets))
	for _, t := range b.targets {
		out[t.key] = b.targetStatus(t)
	}
	return out, true
}

// targetStatus describes t; b.mu is held.
func (b *Balancer) targetStatus(t *target) admin.TargetStatus {
	st := admin.TargetStatus{Host: t.host, Port: t.port, DNS: "A", NodeWeight: t.weight,
		Addresses: []admin.AddressStatus{}}
	if t.ip {
		st.DNS = "IPV4"
		if a, _ := netip.ParseAddr(t.host); a.Is6() {
			st.DNS = "IPV6"
		}
	}
	on := b.checks.inUse() && t.weight > 0
	for _, a := range t.addrs {
		health := admin.HealthChecksOff
		healthy := a.health.isHealthy()
		if on {
			health = admin.HealthUnhealthy
			if healthy {
				health = admin.HealthHealthy
			}
		}
		st.Addresses = append(st.Addresses, admin.AddressStatus{IP: a.AddrPort.Addr().String(),
			Port: t.port, Weight: a.Weight, Health: health})
		st.Weight.Total += a.Weight
		if healthy {
			st.Weight.Available += a.Weight
		} else {
			st.Weight.Unavailable += a.Weight
		}
	}
	return st
}

// BalancerHealth implements admin.Health: HEALTHY when the healthy weight
// is above the threshold, HEALTHCHECKS_OFF as health when checks are off.
func (s *Set) BalancerHealth(upstreamID string) (admin.BalancerStatus, bool) {
	b := s.lookup(upstreamID)
	if b == nil {
		return admin.BalancerStatus{}, false
	}
	b.mu.Lock()
	d := admin.BalancerDetails{Hosts: []admin.TargetStatus{}}
	for _, t := range b.targets {
		st := b.targetStatus(t)
		d.Hosts = append(d.Hosts, st)
		d.Weight.Total += st.Weight.Total
		d.Weight.Available += st.Weight.Available
		d.Weight.Unavailable += st.Weight.Unavailable
	}
	b.mu.Unlock()
	d.Healthy = b.healthy(b.view.Load())
	bh := admin.HealthHealthy
	if !d.Healthy {
		bh = admin.HealthUnhealthy
	}
	h := bh
	if !b.checks.inUse() {
		h = admin.HealthChecksOff
	}
	return admin.BalancerStatus{Health: h, BalancerHealth: bh, Details: d}, true
}

// SetTargetHealth implements admin.Health: it marks every address of
// target, or only address ("ip[:port]", port 8000 when absent), healthy or
// unhealthy. An upstream without a balancer yet has nothing to mark.
func (s *Set) SetTargetHealth(upstreamID, target, address string, healthy bool) error {
	b := s.lookup(upstreamID)
	if b == nil {
		return nil // not balanced yet: nothing to mark, as the admin API accepts
	}
	var want netip.AddrPort
	if address != "" {
		var err error
		if want, err = parseAddress(address); err != nil {
			return errors.New("invalid address: " + address)
		}
	}
	b.mu.Lock()
	var found bool
	for _, t := range b.targets {
		if t.key != target {
			continue
		}
		for _, a := range t.addrs {
			if address != "" && a.AddrPort != want {
				continue
			}
			found = true
			a.health.set(healthy)
		}
	}
	b.mu.Unlock()
	if !found {
		if address != "" {
			return errors.New("address not found: " + address)
		}
		return errors.New("target has no addresses: " + target)
	}
	b.updateAvailable()
	return nil
}

func parseAddress(s string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
	}
	host, port := s, 8000
	if h, p, err := net.SplitHostPort(s); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil {
			return netip.AddrPort{}, err
		}
		host, port = h, n
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return netip.AddrPortFrom(ip.Unmap(), uint16(port)), nil
}
