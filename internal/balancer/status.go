package balancer

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
)

// Status is an upstream balancer's state, what the Admin API's health
// endpoints report (package adminhealth adapts it).
type Status struct {
	// ChecksInUse reports whether health checks are in use (an active
	// interval or a passive unhealthy counter is set).
	ChecksInUse bool
	// Healthy reports whether the healthy weight is above the threshold.
	Healthy bool
	// Targets are the upstream's targets in configuration order.
	Targets []TargetStatus
}

// TargetStatus is one target and its resolved addresses.
type TargetStatus struct {
	Target string // the stored "host:port"
	Host   string
	Port   int
	// DNS is the type of the name's answer (A, AAAA or SRV; A or AAAA for
	// an address literal), or the resolution's failure.
	DNS    string
	Weight int
	// DNSError is set when the name did not resolve (no addresses).
	DNSError  bool
	Addresses []AddressStatus
}

// AddressStatus is one address of a target.
type AddressStatus struct {
	// Name is an SRV record's target, which Kong reports as the address's
	// ip; "" for the others.
	Name    string
	IP      netip.Addr
	Port    int
	Weight  int
	Healthy bool
}

// Status returns the state of the upstream's balancer; ok is false when
// the upstream has none.
func (s *Set) Status(upstreamID string) (st Status, ok bool) {
	b := s.lookup(upstreamID)
	if b == nil {
		return Status{}, false
	}
	st = Status{ChecksInUse: b.checks.inUse(), Healthy: b.healthy(b.view.Load())}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, t := range b.targets {
		ts := TargetStatus{Target: t.key, Host: t.host, Port: t.port, DNS: t.source, Weight: t.weight, DNSError: t.dnsErr}
		for _, a := range t.addrs {
			ts.Addresses = append(ts.Addresses, AddressStatus{Name: a.name, IP: a.AddrPort.Addr(),
				Port: int(a.AddrPort.Port()), Weight: a.Weight, Healthy: a.health.isHealthy()})
		}
		st.Targets = append(st.Targets, ts)
	}
	return st, true
}

// SetTargetHealth marks every address of
// target, or only address ("ip[:port]", port 8000 when absent), healthy or
// unhealthy (the Admin API's manual overrides); its error is the 400
// message. An upstream without a balancer yet has nothing to mark.
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
