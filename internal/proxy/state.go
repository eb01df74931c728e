package proxy

import (
	"context"
	"net/netip"
	"time"

	lb "github.com/silverback-gw/silverback/internal/balancer"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/router"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// State is one request on its way through the runloop: what Kong keeps in
// ngx.ctx and exposes through its PDK. Plugins read and change a request
// only through its methods, which never expose the HTTP engine's types.
//
// States are pooled: neither a State nor anything it returns may be kept
// after the request's log phase. Its methods are not safe for concurrent
// use; plugins run one at a time.
type State struct {
	proxy  *Proxy
	snap   *runtime.Snapshot
	reqCtx context.Context

	id       string
	request  Request
	client   Client
	match    router.Match
	route    *entities.Route
	service  *entities.Service
	upstream ServiceRequest
	response Response
	timings  Timings
	tries    []Try
	ctx      map[string]any
	bal      lb.Tries

	// upstreamStatus is the status the upstream answered, 0 when none did;
	// sent counts the response body bytes written to the client.
	upstreamStatus int
	sent           int64

	// pluginState is the Plugins implementation's per-request value
	// (SetPluginState).
	pluginState any

	exit exitResponse
	// proxied is Kong's KONG_PROXIED: access ended and the request was
	// handed to the balancer, even if no upstream answered.
	proxied bool
	// unexpected is Kong's KONG_UNEXPECTED: the response is an error the
	// request did not ask for (a failed upstream, a panic).
	unexpected bool

	// hopByHop is the client's Connection header while its headers are
	// copied upstream by copyHeader (s.copyClientHeader, bound once).
	hopByHop   string
	copyHeader func(name, value string) bool
}

// exitResponse is a response produced by the gateway instead of an
// upstream: Kong's kong.response.exit and kong.response.error.
type exitResponse struct {
	status  int
	kind    errorKind // 0 for a plain exit
	message string    // for errors: the message of the body template
	body    []byte    // for plain exits
	header  headerList
}

// Try is one attempt to reach an upstream address (Kong's
// balancer_data.tries).
type Try struct {
	// Addr is the address connected to.
	Addr netip.AddrPort
	// Failure is "" when the try got a response, else "failed".
	Failure string
	// Status is the status the failure answers (502, 504; 413 or 400 when
	// the client's body failed).
	Status int
	// BalancerLatency is the time the balancer took to pick Addr.
	BalancerLatency time.Duration
}

// reset prepares a pooled State for a new request, keeping the capacity
// of its slices and map.
func (s *State) reset(p *Proxy, snap *runtime.Snapshot) {
	hl, el, tries, ctx, copyHeader := s.upstream.header.fields, s.exit.header.fields, s.tries, s.ctx, s.copyHeader
	*s = State{proxy: p, snap: snap, copyHeader: copyHeader}
	s.upstream.header.fields = hl
	s.upstream.header.reset()
	s.exit.header.fields = el
	s.exit.header.reset()
	clear(tries)
	s.tries = tries[:0]
	if ctx != nil {
		clear(ctx)
		s.ctx = ctx
	}
}

// RequestID returns the request's id (Kong's $kong_request_id): 32
// lower-case hex digits, also sent in X-Kong-Request-Id and in error
// bodies.
func (s *State) RequestID() string { return s.id }

// Context returns the request's context: it is done when the client
// goes away or the server shuts down.
func (s *State) Context() context.Context {
	if s.reqCtx == nil {
		return context.Background()
	}
	return s.reqCtx
}

// Request gives read access to the client's request (kong.request).
func (s *State) Request() *Request { return &s.request }

// Client describes the client (kong.client).
func (s *State) Client() *Client { return &s.client }

// ServiceRequest is the request being built for the upstream
// (kong.service.request). Changes made before the balancer phase are sent.
func (s *State) ServiceRequest() *ServiceRequest { return &s.upstream }

// Response is the response on its way to the client (kong.response): in
// header_filter and later, the upstream's or the gateway's response.
func (s *State) Response() *Response { return &s.response }

// Route returns the matched route, nil before routing or when none matched.
func (s *State) Route() *entities.Route { return s.route }

// Service returns the matched route's service, nil when there is none.
func (s *State) Service() *entities.Service { return s.service }

// Ctx is a map shared by the plugins of this request (kong.ctx.shared).
func (s *State) Ctx() map[string]any {
	if s.ctx == nil {
		s.ctx = make(map[string]any)
	}
	return s.ctx
}

// Timings returns the request's timings.
func (s *State) Timings() *Timings { return &s.timings }

// Tries lists the attempts made to reach upstreams, in order.
func (s *State) Tries() []Try { return s.tries }

// Exit ends the request with status, body (sent as is) and headers,
// instead of proxying it: kong.response.exit. In access, the current
// phase ends and no upstream is contacted; header_filter, body_filter and
// log still run.
func (s *State) Exit(status int, body []byte, headers ...Header) {
	s.setExit(status, 0, "", headers)
	s.exit.body = body
}

// Error ends the request with Kong's error body for status and message
// (the status's default message when empty), in the format negotiated
// from Accept, JSON by default: kong.response.error.
func (s *State) Error(status int, message string, headers ...Header) {
	if message == "" {
		message = errorMessage(status)
	}
	s.setExit(status, kongError, message, headers)
}

// fail ends the request with an error nginx itself would produce (Kong's
// error_page handler): the format is negotiated from Accept, else the
// request's Content-Type, else error_default_type.
func (s *State) fail(status int) {
	s.unexpected = true
	s.setExit(status, nginxError, errorMessage(status), nil)
}

func (s *State) setExit(status int, kind errorKind, message string, headers []Header) {
	s.exit.status, s.exit.kind, s.exit.message, s.exit.body = status, kind, message, nil
	s.exit.header.reset()
	for _, h := range headers {
		s.exit.header.Add(h.Name, h.Value)
	}
}

// exited reports whether the gateway answers the request itself.
func (s *State) exited() bool { return s.exit.status != 0 }

// Timings are the moments of a request that Kong's latency headers and
// logs report.
type Timings struct {
	start        time.Time
	balancerEnd  time.Time // the last try's balancer end
	headerFilter time.Time // response headers known
}

// Start is when the request started to be processed.
func (t *Timings) Start() time.Time { return t.start }

// ProxyLatency is the time spent before the request was sent upstream
// (X-Kong-Proxy-Latency), zero when it was not proxied.
func (t *Timings) ProxyLatency() time.Duration {
	if t.balancerEnd.IsZero() {
		return 0
	}
	return t.balancerEnd.Sub(t.start)
}

// UpstreamLatency is the time the upstream took to send its response
// headers (X-Kong-Upstream-Latency), zero when it was not proxied.
func (t *Timings) UpstreamLatency() time.Duration {
	if t.balancerEnd.IsZero() || t.headerFilter.IsZero() {
		return 0
	}
	return t.headerFilter.Sub(t.balancerEnd)
}

// ResponseLatency is the time until the response headers were known
// (X-Kong-Response-Latency for responses the gateway produced).
func (t *Timings) ResponseLatency() time.Duration {
	if t.headerFilter.IsZero() {
		return 0
	}
	return t.headerFilter.Sub(t.start)
}
