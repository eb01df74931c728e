package proxy

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
)

// peer is the address one try connects to and the name it is sent to.
type peer struct {
	addr netip.AddrPort
	// hostname is the target's host (or the upstream's host_header), used
	// for the Host header unless preserved, and for TLS SNI.
	hostname string
}

// balancer picks the peers of one request, Kong's balancer_data: a
// service whose host names an upstream entity is balanced round-robin
// over that upstream's targets; any other host is resolved and its
// addresses used in turn. Each retry moves to the next target (or
// address).
type balancer struct {
	// upstream balancing
	ring       *ring
	first      int
	hostHeader string
	// a service host
	entry *dnsEntry
	start uint64
	host  string
	port  int
}

// balanceError is a balancer failure on the first try; Kong answers it
// with kong.response.error.
type balanceError struct {
	status  int
	message string
}

// prepare sets the balancer up for the matched service and picks the
// first peer (Kong's access.after balancer_execute, which resolves names
// before the balancer phase).
func (p *Proxy) prepare(ctx context.Context, s *State) (peer, *balanceError) {
	svc := s.service
	b := &s.bal
	*b = balancer{}
	if u := s.snap.Upstreams[svc.Host]; u != nil {
		st, r := p.balancers.get(u)
		if len(r.targets) == 0 {
			return peer{}, &balanceError{503, msgNoPeer}
		}
		b.ring, b.hostHeader = r, u.HostHeader
		b.first = r.index(st.next.Add(1) - 1)
		if pr, ok := p.ringPeer(ctx, b, 0); ok {
			return pr, nil
		}
		return peer{}, &balanceError{503, msgNoPeer}
	}
	b.host, b.port = svc.Host, svc.Port
	if ip, err := netip.ParseAddr(strings.Trim(svc.Host, "[]")); err == nil {
		return peer{addr: netip.AddrPortFrom(ip.Unmap(), uint16(svc.Port)), hostname: svc.Host}, nil
	}
	e := p.resolver.lookup(ctx, svc.Host)
	switch {
	case e.err == errNameNotFound:
		return peer{}, &balanceError{503, msgNameResolution}
	case e.err != nil:
		return peer{}, &balanceError{500, "failed the initial dns/balancer resolve for '" + svc.Host + "' with: " + e.err.Error()}
	}
	b.entry, b.start = e, e.next.Add(1)-1
	return b.entryPeer(0), nil
}

// next returns the peer of a retry (try > 0), ok false when there is none.
func (p *Proxy) next(ctx context.Context, s *State, try int) (peer, bool) {
	b := &s.bal
	switch {
	case b.ring != nil:
		return p.ringPeer(ctx, b, try)
	case b.entry != nil:
		return b.entryPeer(try), true
	}
	// An IP service host: the same address again.
	ip, _ := netip.ParseAddr(strings.Trim(b.host, "[]"))
	return peer{addr: netip.AddrPortFrom(ip.Unmap(), uint16(b.port)), hostname: b.host}, true
}

// ringPeer returns the target for a try: the round-robin pick for the
// first, the following targets for retries. A target whose name does not
// resolve is skipped.
func (p *Proxy) ringPeer(ctx context.Context, b *balancer, try int) (peer, bool) {
	n := len(b.ring.targets)
	for k := range n {
		t := &b.ring.targets[(b.first+try+k)%n]
		ip := t.ip
		if !ip.IsValid() {
			e := p.resolver.lookup(ctx, t.host)
			if e.err != nil {
				continue
			}
			ip = e.pick()
		}
		name := t.host
		if b.hostHeader != "" {
			name = b.hostHeader
		}
		return peer{addr: netip.AddrPortFrom(ip, uint16(t.port)), hostname: name}, true
	}
	return peer{}, false
}

func (b *balancer) entryPeer(try int) peer {
	n := uint64(len(b.entry.addrs))
	ip := b.entry.addrs[(b.start+uint64(try))%n]
	return peer{addr: netip.AddrPortFrom(ip, uint16(b.port)), hostname: b.host}
}

// hostHeader returns the Host header for a peer when the client's is not
// preserved: the name (an IPv6 address in brackets) and the port, unless
// it is the scheme's default (Kong's balancer set_host_header).
func hostHeader(pr peer, scheme string) string {
	name := pr.hostname
	if strings.IndexByte(name, ':') >= 0 && !strings.HasPrefix(name, "[") {
		name = "[" + name + "]"
	}
	port := pr.addr.Port()
	if port == 80 && scheme == "http" || port == 443 && scheme == "https" {
		return name
	}
	var buf [128]byte
	b := append(buf[:0], name...)
	b = append(b, ':')
	return string(strconv.AppendUint(b, uint64(port), 10))
}
