package proxy

import (
	"context"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	lb "github.com/silverback-gw/silverback/internal/balancer"
)

// peer is the address one try connects to and the name it is sent to.
type peer struct {
	addr netip.AddrPort
	// hostname is the target's host (or the upstream's host_header), used
	// for the Host header unless preserved, and for TLS SNI.
	hostname string
}

// balancer picks the peers of one request, Kong's balancer_data: a
// service whose host names an upstream entity is balanced by the
// upstream's balancer (Options.Balancers) over its targets' addresses;
// any other host is resolved and its addresses used in turn. Each retry
// moves to another address (or the next one of the name).
type balancer struct {
	// upstream balancing
	lb         *lb.Balancer
	hash       uint32
	hostHeader string
	// setCookie is the hash cookie generated for the client (hash_on cookie).
	setCookie string
	// cur is the address of the try in flight, until reported; tried
	// the addresses of the request's tries, in triedBuf while they fit.
	cur      *lb.Address
	curStart time.Time
	tried    []*lb.Address
	triedBuf [4]*lb.Address
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
		b.lb, b.hostHeader = p.balancers.Get(u), u.HostHeader
		b.hash, b.setCookie = b.lb.Hash((*hashInput)(s))
		b.tried = b.triedBuf[:0]
		if pr, ok := b.pick(); ok {
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
func (p *Proxy) next(s *State, try int) (peer, bool) {
	b := &s.bal
	switch {
	case b.lb != nil:
		return b.pick()
	case b.entry != nil:
		return b.entryPeer(try), true
	}
	// An IP service host: the same address again.
	ip, _ := netip.ParseAddr(strings.Trim(b.host, "[]"))
	return peer{addr: netip.AddrPortFrom(ip.Unmap(), uint16(b.port)), hostname: b.host}, true
}

// pick asks the upstream's balancer for an address the request has not
// tried yet.
func (b *balancer) pick() (peer, bool) {
	a, err := b.lb.Pick(b.hash, b.tried)
	if err != nil {
		return peer{}, false
	}
	b.tried = append(b.tried, a)
	b.cur, b.curStart = a, time.Now()
	name := a.Host
	if b.hostHeader != "" {
		name = b.hostHeader
	}
	return peer{addr: a.AddrPort, hostname: name}, true
}

// report ends the try in flight, if any, with its outcome: the balancer
// counts it for least-connections, latency and the passive health checks.
// A try that ended before reaching the upstream reports a zero Outcome.
func (b *balancer) report(o lb.Outcome) {
	if b.cur == nil {
		return
	}
	if o != (lb.Outcome{}) {
		o.Latency = time.Since(b.curStart)
	}
	b.lb.Report(b.cur, o)
	b.cur = nil
}

// outcome classifies a failed try for the passive health checks: a 504 is
// a timeout, a 502 a TCP failure, and a failure of the client's body
// (413, 400) is not the upstream's.
func outcome(res tryResult) lb.Outcome {
	switch res.status {
	case http.StatusGatewayTimeout:
		return lb.Outcome{Failure: lb.FailureTimeout}
	case http.StatusBadGateway:
		return lb.Outcome{Failure: lb.FailureTCP}
	}
	return lb.Outcome{}
}

func (b *balancer) entryPeer(try int) peer {
	n := uint64(len(b.entry.addrs))
	ip := b.entry.addrs[(b.start+uint64(try))%n]
	return peer{addr: netip.AddrPortFrom(ip, uint16(b.port)), hostname: b.host}
}

// hostHeader returns the Host header (:authority for gRPC) for a peer
// when the client's is not preserved: the name (an IPv6 address in
// brackets) and the port, unless it is the scheme's default, 80 for http
// and grpc, 443 for https and grpcs (Kong's balancer set_host_header).
func hostHeader(pr peer, scheme string) string {
	name := pr.hostname
	if strings.IndexByte(name, ':') >= 0 && !strings.HasPrefix(name, "[") {
		name = "[" + name + "]"
	}
	port := pr.addr.Port()
	if port == 80 && (scheme == "http" || scheme == "grpc") || port == 443 && (scheme == "https" || scheme == "grpcs") {
		return name
	}
	var buf [128]byte
	b := append(buf[:0], name...)
	b = append(b, ':')
	return string(strconv.AppendUint(b, uint64(port), 10))
}
