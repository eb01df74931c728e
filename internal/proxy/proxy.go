package proxy

import (
	"log/slog"
	"net/textproto"
	"sync"
	"sync/atomic"

	lb "github.com/silverback-gw/silverback/internal/balancer"
)

// Proxy is the HTTP data plane: an http.Handler that routes each request
// with the current runtime snapshot and proxies it to its service.
type Proxy struct {
	opts    Options
	plugins Plugins
	log     *slog.Logger

	trusted      trustedIPs
	realIPHeader string // canonical form of Options.RealIPHeader
	errorDefault errorFormat

	via10, via11, via2 string      // Via tokens by client HTTP version
	server, via, viaH2 sharedValue // Server and Via response values (HTTP/1.1 and HTTP/2 upstreams)

	hosts     *lb.Hosts
	balancers *lb.Set
	ownSet    bool // balancers is the Proxy's own, closed by Close
	transport *transport

	lastPort atomic.Pointer[portString]
	states   sync.Pool // *exchange
}

// New returns a Proxy serving with opts.
func New(opts Options) *Proxy {
	p := &Proxy{
		opts:         opts,
		plugins:      opts.Plugins,
		log:          opts.Logger,
		trusted:      trustedIPs(opts.TrustedIPs),
		errorDefault: negotiateFormat(opts.ErrorDefaultType),
		via10:        "1 " + opts.ServerToken,
		via11:        "1.1 " + opts.ServerToken,
		via2:         "2 " + opts.ServerToken,
		hosts:        lb.NewHosts(opts.DNS),
		balancers:    opts.Balancers,
		transport: newTransport(transportOptions{
			poolSize:    opts.KeepalivePoolSize,
			maxRequests: opts.KeepaliveMaxRequests,
			idleTimeout: opts.KeepaliveIdleTimeout,
		}),
	}
	if p.balancers == nil {
		p.balancers, p.ownSet = lb.NewSet(lb.Options{DNS: opts.DNS, Logger: opts.Logger}), true
	}
	p.server, p.via, p.viaH2 = newShared(opts.ServerToken), newShared(p.via11), newShared(p.via2)
	if p.log == nil {
		p.log = slog.Default()
	}
	if opts.RealIPHeader != "" && opts.RealIPHeader != "proxy_protocol" {
		p.realIPHeader = textproto.CanonicalMIMEHeaderKey(opts.RealIPHeader)
	}
	return p
}

// Close closes the idle upstream connections, and stops the balancers'
// health checks unless they came from Options.Balancers. Requests in
// flight finish; their connections are closed instead of pooled.
func (p *Proxy) Close() error {
	p.transport.close()
	if p.ownSet {
		p.balancers.Close()
	}
	return nil
}
