package balancer

import (
	"context"
	"net/netip"
	"slices"
	"time"
)

// Resolver resolves target names; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// dnsTimeout bounds one resolution.
const dnsTimeout = 5 * time.Second

// resolve looks up t's name (A and AAAA records) and returns its
// addresses, reusing those of prev that remain so that their health and
// counters carry over. A failed or empty answer gives no addresses and
// dnsErr: the target is then DNS_ERROR and gets no traffic.
func (b *Balancer) resolve(t *target, prev []*Address) (addrs []*Address, dnsErr bool) {
	ctx, cancel := context.WithTimeout(b.ctx, dnsTimeout)
	defer cancel()
	ips, err := b.set.resolver.LookupNetIP(ctx, "ip", t.host)
	if err != nil || len(ips) == 0 {
		return nil, true
	}
	for i := range ips {
		ips[i] = ips[i].Unmap()
	}
	slices.SortFunc(ips, netip.Addr.Compare)
	ips = slices.Compact(ips)
	for _, ip := range ips {
		i := slices.IndexFunc(prev, func(a *Address) bool { return a.AddrPort.Addr() == ip })
		if i >= 0 {
			addrs = append(addrs, prev[i])
		} else {
			addrs = append(addrs, newAddress(t, ip))
		}
	}
	return addrs, false
}

// refreshLoop re-resolves the balancer's target names every DNS interval
// (a failed name after dnsRetry) and rebuilds the view when an answer
// changed, until the balancer stops.
func (b *Balancer) refreshLoop() {
	defer b.wg.Done()
	every := b.set.dnsInterval
	for {
		wait := every
		b.mu.Lock()
		for _, t := range b.targets {
			if t.dnsErr {
				wait = min(wait, b.set.dnsRetry)
			}
		}
		b.mu.Unlock()
		select {
		case <-b.ctx.Done():
			return
		case <-time.After(wait):
		}
		b.refresh()
	}
}

// refresh re-resolves every name target once.
func (b *Balancer) refresh() {
	b.mu.Lock()
	ts := slices.Clone(b.targets)
	b.mu.Unlock()
	for _, t := range ts {
		if t.ip {
			continue
		}
		addrs, dnsErr := b.resolve(t, t.addrs)
		if dnsErr == t.dnsErr && slices.Equal(addrs, t.addrs) {
			continue
		}
		b.mu.Lock()
		t.addrs, t.dnsErr = addrs, dnsErr
		b.rebuild()
		b.mu.Unlock()
	}
}
