package proxy

import (
	"strconv"
	"strings"
)

// setUpstreamHeaders fills the upstream request's headers (Kong's
// runloop.access.before/after and the proxy_set_header lines of
// templates/nginx_kong.lua): the client's headers minus the hop-by-hop
// ones, then the X-Forwarded-* set, X-Real-IP, Via, X-Kong-Request-Id,
// Connection, Upgrade and TE.
//
// Hop-by-hop rules: the headers named in Connection are dropped unless
// Connection is just keep-alive, close or upgrade; Keep-Alive, Proxy,
// Proxy-Connection, Expect, TE and Upgrade are replaced by Kong's values
// or dropped; Proxy-Authorization and Proxy-Authenticate are kept.
func (p *Proxy) setUpstreamHeaders(s *State) {
	in := s.request.header
	h := &s.upstream.header
	conn := in.Get("Connection")
	s.hopByHop = ""
	if conn != "" &&
		!strings.EqualFold(conn, "keep-alive") &&
		!strings.EqualFold(conn, "close") &&
		!strings.EqualFold(conn, "upgrade") {
		s.hopByHop = conn
	}
	if s.copyHeader == nil {
		s.copyHeader = s.copyClientHeader // bound once per pooled State
	}
	in.Each(s.copyHeader)

	f := &s.request.forwarded
	if xff := in.Get("X-Forwarded-For"); xff != "" {
		h.Add("X-Forwarded-For", xff+", "+s.client.peerIP)
	} else {
		h.Add("X-Forwarded-For", s.client.realIPStr)
	}
	h.Add("X-Forwarded-Proto", f.scheme)
	h.Add("X-Forwarded-Host", f.host)
	h.Add("X-Forwarded-Port", f.port)
	h.Add("X-Forwarded-Path", f.path)
	if f.prefix != "" {
		h.Add("X-Forwarded-Prefix", f.prefix)
	}
	h.Add("X-Real-IP", s.client.realIPStr)
	via := p.viaToken(s.request.version)
	if v := in.Get("Via"); v != "" {
		via = v + ", " + via
	}
	h.Add("Via", via)
	if p.opts.UpstreamRequestID {
		h.Add("X-Kong-Request-Id", s.id)
	}
	if strings.EqualFold(in.Get("Upgrade"), "websocket") {
		h.Add("Connection", "keep-alive, Upgrade")
		h.Add("Upgrade", "websocket")
	} else {
		h.Add("Connection", "keep-alive")
	}
	if te := in.Get("TE"); te != "" && hasToken(te, "trailers") {
		h.Add("TE", "trailers")
	}
}

// copyClientHeader copies a client header upstream unless the gateway
// replaces it or it is named in Connection (s.hopByHop).
func (s *State) copyClientHeader(name, value string) bool {
	if !s.proxy.replacedUpstream(name) && !(s.hopByHop != "" && hasToken(s.hopByHop, name)) {
		s.upstream.header.Add(name, value)
	}
	return true
}

// replacedUpstream reports whether a client header is not copied upstream
// because the gateway replaces or drops it. Names come canonical
// (net/textproto form) from the engine.
func (p *Proxy) replacedUpstream(name string) bool {
	switch name {
	case "Host", "Connection", "Keep-Alive", "Proxy", "Proxy-Connection", "Upgrade", "Te", "Expect",
		"Content-Length", "Transfer-Encoding",
		"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port",
		"X-Forwarded-Path", "X-Forwarded-Prefix", "X-Real-Ip", "Via":
		return true
	case "X-Kong-Request-Id":
		return p.opts.UpstreamRequestID
	}
	return false
}

// viaToken is the gateway's entry in Via for a client HTTP version:
// "1.1 kong/x.y.z"; HTTP/2 gives "2 kong/…" and HTTP/1.0 "1 kong/…", as
// Lua prints ngx.req.http_version()'s numbers.
func (p *Proxy) viaToken(version string) string {
	switch version {
	case "2":
		return p.via2
	case "1.0":
		return p.via10
	}
	return p.via11
}

// portText returns a port as text; the listening port's text is kept, so
// the common case allocates nothing.
func (p *Proxy) portText(port int) string {
	if c := p.lastPort.Load(); c != nil && c.port == port {
		return c.text
	}
	c := &portString{port: port, text: strconv.Itoa(port)}
	p.lastPort.Store(c)
	return c.text
}

type portString struct {
	port int
	text string
}
