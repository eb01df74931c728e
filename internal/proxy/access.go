package proxy

import (
	"slices"
	"strings"

	"github.com/silverback-gw/silverback/internal/router"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// access is Kong's access phase up to the balancer (runloop.access.before,
// the plugins' access handlers, then the service check): route the
// request, apply the route's protocol rules, compute the forwarded values
// and build the request for the service. On return either the request has
// exited or s.service is set and s.upstream is ready for the balancer.
func (p *Proxy) access(s *State) {
	if s.snap == nil || s.snap.Router == nil {
		s.Error(404, msgNoRoute)
		return
	}
	rq := &s.request
	m, ok := s.snap.Router.Match(&router.Request{
		Method:  rq.method,
		Host:    rq.rawHost,
		Path:    rq.rawPath,
		Headers: rq.header,
		SNI:     rq.sni,
		Scheme:  rq.scheme,
		Port:    rq.port,
	})
	if !ok {
		s.Error(404, msgNoRoute)
		return
	}
	s.match = m
	rq.match = &s.match
	b := m.Route.Payload.(*runtime.Binding)
	s.route, s.service = b.Route, b.Service

	p.setForwarded(s)
	if p.checkProtocols(s) {
		return
	}
	if s.service != nil {
		p.buildServiceRequest(s)
	}
	if p.plugins != nil {
		p.plugins.Access(s)
		if s.exited() {
			return
		}
	}
	if s.service == nil {
		s.Error(503, msgNoService)
	}
}

// setForwarded computes the X-Forwarded-* values: a trusted client's own
// headers win, otherwise the request's scheme, host, listening port and
// raw path; the prefix is the part strip_path removed, unless "/".
func (p *Proxy) setForwarded(s *State) {
	rq := &s.request
	f := &rq.forwarded
	*f = forwarded{scheme: rq.scheme, host: rq.host, port: p.portText(rq.port)}
	if s.client.trusted {
		h := rq.header
		f.scheme = orDefault(h.Get("X-Forwarded-Proto"), f.scheme)
		f.host = orDefault(h.Get("X-Forwarded-Host"), f.host)
		f.port = orDefault(h.Get("X-Forwarded-Port"), f.port)
		f.path = h.Get("X-Forwarded-Path")
		f.prefix = h.Get("X-Forwarded-Prefix")
	}
	if f.path == "" {
		f.path = rq.rawPath
	}
	if f.prefix == "" && s.match.MatchedPrefix != "/" {
		f.prefix = s.match.MatchedPrefix
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// checkProtocols applies the route's protocol rules (Kong's access.before):
// an https-only route reached over plain http is redirected or refused
// with 426, and gRPC routes only take gRPC over HTTP/2. It reports whether
// the request exited.
func (p *Proxy) checkProtocols(s *State) bool {
	protocols := s.route.Protocols
	fwd := s.request.forwarded
	if slices.Contains(protocols, "https") && !slices.Contains(protocols, "http") && fwd.scheme != "https" {
		switch code := s.route.HTTPSRedirectStatusCode; code {
		case 301, 302, 307, 308:
			s.Exit(code, nil, Header{"Location", "https://" + fwd.host + s.request.requestURI()})
		default:
			s.Error(426, msgUseHTTPS,
				Header{"Connection", "Upgrade"},
				Header{"Upgrade", "TLS/1.2, HTTP/1.1"})
		}
		return true
	}
	grpc, grpcs := slices.Contains(protocols, "grpc"), slices.Contains(protocols, "grpcs")
	if !grpc && !grpcs {
		return false
	}
	switch {
	case !strings.HasPrefix(s.request.header.Get("Content-Type"), "application/grpc"):
		s.Error(415, "Non-gRPC request matched gRPC route")
	case s.request.version != "2":
		s.Error(426, "Please use HTTP2 protocol",
			Header{"Connection", "Upgrade"},
			Header{"Upgrade", "HTTP/2"})
	case !grpc && fwd.scheme != "https":
		s.Exit(200, nil,
			Header{"Content-Type", "application/grpc"},
			Header{"Grpc-Status", "1"},
			Header{"Grpc-Message", "gRPC request matched gRPCs route"})
	default:
		return false
	}
	return true
}

// requestURI is the request target as the client sent it (nginx's
// $request_uri), path and query.
func (r *Request) requestURI() string {
	if !r.hasQuery {
		return r.rawPath
	}
	return r.rawPath + "?" + r.rawQuery
}

// buildServiceRequest prepares the request for the service: method, the
// upstream path (Kong's v0 path handling, escaped) with the client's query
// string kept as sent (an empty "?" included), the preserved Host, and the
// upstream headers. A gRPC service gets the path as the client sent it:
// nginx's grpc_pass takes no URI, so neither strip_path nor a service
// path applies.
func (p *Proxy) buildServiceRequest(s *State) {
	u := &s.upstream
	u.scheme = s.service.Protocol
	u.method = s.request.method
	if u.isGRPC() {
		u.path = s.request.rawPath
	} else {
		u.path = s.match.UpstreamPath(s.service.Path)
	}
	u.rawQuery, u.hasQuery = s.request.rawQuery, s.request.hasQuery
	if s.route.PreserveHost && s.request.rawHost != "" {
		u.host, u.hostFixed = s.request.rawHost, true
	}
	p.setUpstreamHeaders(s)
}
