package balancer

import (
	"context"
	"net/netip"
	"time"

	"github.com/silverback-gw/silverback/internal/dns"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// Peer is the address one try connects to and the name it is sent to.
type Peer struct {
	Addr netip.AddrPort
	// Hostname is the target's host (with use_srv_name, the SRV record's
	// target; or the upstream's host_header), else the service's host:
	// the HTTP Host header unless preserved, and the TLS server name.
	Hostname string
}

// Tries picks the peers of one proxied request or stream session, Kong's
// balancer_data: a service whose host names an upstream entity is
// balanced by that upstream's Balancer over its targets' addresses; any
// other host is resolved through Hosts and its addresses used in turn.
// Each retry moves to another address (or the name's next one, from the
// DNS cache).
// Prepare resets it, so that it can live in a pooled per-request state.
type Tries struct {
	// upstream balancing
	lb         *Balancer
	hash       uint32
	hostHeader string
	// setCookie is the hash cookie generated for the client (hash_on cookie).
	setCookie string
	// cur is the address of the try in flight, until reported; tried
	// the addresses of the request's tries, in triedBuf while they fit.
	cur      *Address
	curStart time.Time
	tried    []*Address
	triedBuf [4]*Address
	// a service host
	hosts *Hosts
	host  string
	port  int
}

// PeerError is a failure to find the first peer; Kong answers it with
// kong.response.error(Status, Message).
type PeerError struct {
	Status  int
	Message string
}

func (e *PeerError) Error() string { return e.Message }

// Prepare sets t up for a service with host and port and picks the first
// peer (Kong's balancer_execute, which resolves names before the balancer
// phase). A host naming one of upstreams is balanced by set's balancer
// for it, hashing req; another name is resolved through hosts.
func (t *Tries) Prepare(ctx context.Context, set *Set, hosts *Hosts, upstreams map[string]*runtime.Upstream,
	host string, port int, req Request) (Peer, *PeerError) {
	*t = Tries{}
	if u := upstreams[host]; u != nil {
		t.lb, t.hostHeader = set.Get(u), u.HostHeader
		t.hash, t.setCookie = t.lb.Hash(req)
		t.tried = t.triedBuf[:0]
		if pr, ok := t.pick(); ok {
			return pr, nil
		}
		return Peer{}, &PeerError{503, ErrNoPeer.Error()}
	}
	t.hosts, t.host, t.port = hosts, host, port
	ap, err := hosts.toIP(ctx, host, port, false)
	switch {
	case dns.IsNotFound(err):
		return Peer{}, &PeerError{503, errNameNotFound}
	case err != nil:
		return Peer{}, &PeerError{500, "failed the initial dns/balancer resolve for '" + host + "' with: " + err.Error()}
	}
	return Peer{Addr: ap, Hostname: host}, nil
}

// Next returns the peer of a retry (try > 0), ok false when there is
// none: an upstream's next address, or the service host's next address
// from the DNS cache (the same one for an IP).
func (t *Tries) Next(try int) (Peer, bool) {
	if t.lb != nil {
		return t.pick()
	}
	ap, err := t.hosts.toIP(context.Background(), t.host, t.port, true)
	if err != nil {
		return Peer{}, false
	}
	return Peer{Addr: ap, Hostname: t.host}, true
}

// SetCookie is the Set-Cookie value the response must carry when the
// upstream hashes on a cookie the client did not send, else "".
func (t *Tries) SetCookie() string { return t.setCookie }

// pick asks the upstream's balancer for an address the request has not
// tried yet.
func (t *Tries) pick() (Peer, bool) {
	a, err := t.lb.Pick(t.hash, t.tried)
	if err != nil {
		return Peer{}, false
	}
	t.tried = append(t.tried, a)
	t.cur, t.curStart = a, time.Now()
	name := a.Host
	if t.hostHeader != "" {
		name = t.hostHeader
	}
	return Peer{Addr: a.dial(), Hostname: name}, true
}

// Report ends the try in flight, if any, with its outcome: the balancer
// counts it for least-connections, latency and the passive health checks.
// A try that ended before reaching the upstream reports a zero Outcome.
// An outcome without a Latency is given the time since the peer was
// picked.
func (t *Tries) Report(o Outcome) {
	if t.cur == nil {
		return
	}
	if o != (Outcome{}) && o.Latency == 0 {
		o.Latency = time.Since(t.curStart)
	}
	t.lb.Report(t.cur, o)
	t.cur = nil
}
