package balancer

import (
	"cmp"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/silverback-gw/silverback/internal/dns"
)

// resolution is what a target's name resolved to.
type resolution struct {
	// addrs are the target's addresses; nil after a failed resolution.
	addrs []*Address
	// source is the status's "dns": the answer's type (A, AAAA, SRV) or
	// the resolution's failure.
	source string
	// dnsErr is set when the name gave no address.
	dnsErr bool
	// renew is when the name is resolved again.
	renew time.Time
}

// renewDelay follows an answer's expiry before its name is resolved
// again, as Kong's renewal timer: an answer resolved at its expiry comes
// stale from the client, which refreshes it meanwhile.
const renewDelay = 500 * time.Millisecond

// resolve resolves t's name with the set's DNS client, reusing the
// addresses of prev that remain so that their health and counters carry
// over. An A or AAAA answer gives an address per IP with the target's
// port and weight. An SRV answer gives one per record of the lowest
// priority, with the record's port (the target's when 0) and weight (1
// when 0) and its target's addresses, in turn. The name is resolved again
// when the shortest TTL of its answers ends. A failure gives no addresses
// (the target is then DNS_ERROR and gets no traffic) and is retried after
// the set's DNSRetry.
func (b *Balancer) resolve(t *target, prev []*Address) resolution {
	now := time.Now()
	ans, err := b.set.dns.Resolve(b.ctx, t.host)
	if err != nil {
		return resolution{source: err.Error(), dnsErr: true, renew: now.Add(b.set.dnsRetry)}
	}
	r := resolution{source: mdns.TypeToString[ans.Type], renew: ans.Expires}
	if ans.Type == mdns.TypeSRV {
		b.resolveSRV(t, ans, prev, &r, now)
	} else {
		for _, ip := range sortedIPs(ans.Addrs) {
			r.addrs = append(r.addrs, address(prev, t, []netip.Addr{ip}, uint16(t.port), t.host, "", t.weight))
		}
	}
	r.dnsErr = len(r.addrs) == 0
	if r.renew.Before(now) {
		r.renew = now
	}
	r.renew = r.renew.Add(renewDelay)
	return r
}

// resolveSRV adds the addresses of an SRV answer to r; a record whose
// target does not resolve is left out and retried after DNSRetry.
func (b *Balancer) resolveSRV(t *target, ans *dns.Answer, prev []*Address, r *resolution, now time.Time) {
	recs := ans.TopPriority()
	slices.SortFunc(recs, func(x, y dns.SRV) int {
		return cmp.Or(strings.Compare(x.Target, y.Target), cmp.Compare(x.Port, y.Port))
	})
	for _, rec := range recs {
		ips, expires, err := b.srvTarget(rec.Target)
		if err != nil {
			b.set.log.Warn("querying dns for an SRV target failed", "upstream", b.name, "target", t.key,
				"name", rec.Target, "error", err)
			r.renew = earliest(r.renew, now.Add(b.set.dnsRetry))
			continue
		}
		r.renew = earliest(r.renew, expires)
		port := rec.Port
		if port == 0 {
			port = uint16(t.port)
		}
		host := t.host
		if b.useSRVName {
			host = rec.Target
		}
		r.addrs = append(r.addrs, address(prev, t, ips, port, host, rec.Target, rec.BalancerWeight()))
	}
}

// srvTarget resolves an SRV record's target to its addresses and their
// expiry; an SRV answer is not followed further.
func (b *Balancer) srvTarget(name string) ([]netip.Addr, time.Time, error) {
	ans, err := b.set.dns.Resolve(b.ctx, name)
	switch {
	case err != nil:
		return nil, time.Time{}, err
	case ans.Type == mdns.TypeSRV:
		return nil, time.Time{}, errNestedSRV
	}
	return sortedIPs(ans.Addrs), ans.Expires, nil
}

var errNestedSRV = errors.New("an SRV record's target has SRV records")

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// sortedIPs returns ips sorted, without duplicates, in a new slice.
func sortedIPs(ips []netip.Addr) []netip.Addr {
	out := slices.Clone(ips)
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

// address returns prev's address with ips, port, host and weight (so
// that its health and counters carry over), else a new one, unhealthy
// when prev's address with the same ips and port but another weight is.
func address(prev []*Address, t *target, ips []netip.Addr, port uint16, host, name string, weight int) *Address {
	ap := netip.AddrPortFrom(ips[0], port)
	var same *Address
	for _, a := range prev {
		if a.AddrPort != ap || a.Host != host || a.name != name || !a.hasIPs(ips) {
			continue
		}
		if a.Weight == weight {
			return a
		}
		same = a
	}
	a := newAddress(t, ips, port, host, name, weight)
	if same != nil {
		a.health.healthy.Store(same.health.isHealthy())
	}
	return a
}

// hasIPs reports whether a connects to ips.
func (a *Address) hasIPs(ips []netip.Addr) bool {
	if a.ips != nil {
		return slices.Equal(a.ips, ips)
	}
	return len(ips) == 1 && ips[0] == a.AddrPort.Addr()
}

// renewLoop resolves each name target again when its renewal time comes,
// until the balancer stops; a change of targets wakes it.
func (b *Balancer) renewLoop() {
	defer b.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		timer.Reset(time.Until(b.nextRenewal()))
		select {
		case <-b.ctx.Done():
			return
		case <-b.kick:
		case <-timer.C:
			b.renew(time.Now())
		}
	}
}

// nextRenewal returns the earliest renewal time of the name targets, an
// hour from now when there are none.
func (b *Balancer) nextRenewal() time.Time {
	next := time.Now().Add(time.Hour)
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, t := range b.targets {
		if !t.ip && t.renew.Before(next) {
			next = t.renew
		}
	}
	return next
}

// renew resolves again the name targets due by now, rebuilding the view
// when their addresses changed.
func (b *Balancer) renew(now time.Time) {
	b.mu.Lock()
	ts := slices.Clone(b.targets)
	b.mu.Unlock()
	for _, t := range ts {
		if t.ip || t.renew.After(now) {
			continue
		}
		r := b.resolve(t, t.addrs)
		b.mu.Lock()
		changed := r.dnsErr != t.dnsErr || !slices.Equal(r.addrs, t.addrs)
		t.resolution = r
		if changed {
			b.rebuild()
		}
		b.mu.Unlock()
	}
}
