package router

import "slices"

// Route is the router's view of a Kong route entity: an HTTP route for
// New, a stream route (protocols tcp, tls, udp or tls_passthrough) for
// NewStream.
//
// The router keeps the Route values it is built from: callers must not change
// them (or the slices and maps they hold) once they are passed to New.
type Route struct {
	// ID is the route's UUID. Between routes of equal priority the higher ID
	// wins, as in atc-router, which orders matchers by (priority, uuid).
	ID string
	// Protocols only decides whether the route belongs to the HTTP router
	// (http, https, grpc, grpcs, or none given) or the stream router; it is
	// not matched against the request: an http-only route also serves HTTPS
	// requests, and a udp route TCP connections, as in Kong.
	Protocols []string
	// Methods are compared exactly (Kong only accepts upper-case methods).
	Methods []string
	// Hosts are compared case-sensitively with the Host header. An element may
	// hold one wildcard label ("*.example.com" or "example.*") and a ":port".
	//
	// nil means the field is unset. As in Kong, a non-nil empty slice (a
	// route stored with "hosts": []) still earns the plain-host bit of the
	// priority; keep nil for "no hosts".
	Hosts []string
	// Paths are prefixes ("/foo") or regexes ("~/foo/\d+"), the latter
	// anchored at the start of the normalized request path.
	Paths []string
	// Headers maps a header name (case-insensitive, '_' and '-' alike) to the
	// accepted values. Values are compared lower-cased; a value starting
	// with "~*" is a regex (also lower-cased, as Kong does) searched anywhere
	// in the lower-cased request value.
	Headers map[string][]string
	// SNIs are only checked on HTTPS requests (stream routes: on TLS
	// connections); they may hold a wildcard label.
	SNIs []string
	// Sources and Destinations are a stream route's client and local
	// endpoints; HTTP routes have none.
	Sources, Destinations []Endpoint
	// RegexPriority orders regex routes; it is ignored for prefix paths.
	RegexPriority int
	// StripPath makes the matched part of the path drop from the upstream path.
	StripPath bool
	// PreserveHost is carried for the proxy; the router does not read it.
	PreserveHost bool
	// PathHandling is "v0" or "v1". traditional_compatible always behaves
	// as v0 (see Match.UpstreamPath); the field is carried for completeness.
	PathHandling string
	// Payload is opaque to the router and handed back in Match.Route.
	Payload any
}

// Request is what the proxy knows about a request when routing.
type Request struct {
	// Method is the request method, e.g. "GET".
	Method string
	// Host is the raw first Host header value (":authority" in HTTP/2),
	// possibly with a ":port". "" means no Host.
	Host string
	// Path is the raw request path without the query string, not normalized.
	Path string
	// Headers gives the request headers; nil means none.
	Headers Headers
	// SNI is the TLS server name, "" on plain HTTP or when none was sent.
	SNI string
	// Scheme is "http" or "https".
	Scheme string
	// Port is the listening port (after port_maps), used when Host has no port.
	Port int
}

// Headers gives the values of a request header, one element per header line.
// The router passes names in canonical MIME form ("X-Foo"), so that
// net/http.Header satisfies it without allocating.
type Headers interface {
	Values(name string) []string
}

// httpProtocols are the route protocols served by the HTTP subsystem
// (Kong's PROTOCOLS_WITH_SUBSYSTEM entries for "http").
var httpProtocols = []string{"http", "https", "grpc", "grpcs"}

// ServesHTTP reports whether a route with these protocols belongs to the
// HTTP router. A route without protocols gets Kong's default (http,
// https). Stream routes (tcp, tls, udp, tls_passthrough) belong to the
// StreamRouter (NewStream).
func ServesHTTP(protocols []string) bool {
	if len(protocols) == 0 {
		return true
	}
	for _, p := range protocols {
		if slices.Contains(httpProtocols, p) {
			return true
		}
	}
	return false
}

func servesHTTP(rt *Route) bool { return ServesHTTP(rt.Protocols) }
