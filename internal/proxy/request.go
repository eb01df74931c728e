package proxy

import (
	"io"
	"net/netip"
	"strings"

	"github.com/silverback-gw/silverback/internal/router"
)

// Request is read access to the client's request (Kong's kong.request).
type Request struct {
	method   string
	scheme   string // "http" or "https"
	rawHost  string // the Host header (":authority" in HTTP/2) as sent
	host     string // nginx's $host: lower-cased, without port or trailing dot
	port     int    // the listening port, after port_maps
	rawPath  string // the request path as sent, without the query string
	rawQuery string
	hasQuery bool   // the request URI has a "?", maybe with an empty query
	version  string // "1.0", "1.1" or "2"
	sni      string // the TLS server name, "" on plain HTTP
	header   HeaderReader
	length   int64 // body length, -1 when unknown (chunked, HTTP/2 stream)

	bodySrc  io.Reader // the client's body, read by Body
	bodyBuf  []byte    // the body once Body read it
	bodyErr  error
	bodyRead bool

	match *router.Match // set once routed

	forwarded forwarded
}

// forwarded are the X-Forwarded-* values Kong computes in access: the
// client's own when it is a trusted peer, else the request's.
type forwarded struct {
	scheme, host, port, path, prefix string
}

// Method returns the request method.
func (r *Request) Method() string { return r.method }

// Scheme returns "http" or "https".
func (r *Request) Scheme() string { return r.scheme }

// Host returns the host the request was sent to, lower-cased and without
// port (kong.request.get_host).
func (r *Request) Host() string { return r.host }

// Port returns the port the request was received on (after port_maps).
func (r *Request) Port() int { return r.port }

// HTTPVersion returns "1.0", "1.1" or "2".
func (r *Request) HTTPVersion() string { return r.version }

// RawPath returns the path as the client sent it, without the query
// string (kong.request.get_raw_path).
func (r *Request) RawPath() string { return r.rawPath }

// Path returns the normalized path (kong.request.get_path): the one the
// router matched.
func (r *Request) Path() string {
	if r.match != nil {
		return r.match.Path
	}
	return router.NormalizePath(r.rawPath)
}

// RawQuery returns the query string, without "?"
// (kong.request.get_raw_query).
func (r *Request) RawQuery() string { return r.rawQuery }

// Header returns the first value of a request header; Host is the Host
// header (":authority" in HTTP/2) as sent.
func (r *Request) Header(name string) string {
	if strings.EqualFold(name, "Host") {
		return r.rawHost
	}
	return r.header.Get(name)
}

// Headers gives read access to the request headers (Host apart, see
// Header).
func (r *Request) Headers() HeaderReader { return r.header }

// ContentLength returns the declared body length; ok is false when the
// body length is not known in advance.
func (r *Request) ContentLength() (n int64, ok bool) { return r.length, r.length >= 0 }

// URICaptures returns the captures of a regex route path
// (kong.request.get_uri_captures).
func (r *Request) URICaptures() router.Captures {
	if r.match == nil {
		return router.Captures{}
	}
	return r.match.Captures
}

// ForwardedScheme returns X-Forwarded-Proto when the client is trusted,
// else the scheme (kong.request.get_forwarded_scheme).
func (r *Request) ForwardedScheme() string { return r.forwarded.scheme }

// ForwardedHost returns X-Forwarded-Host when the client is trusted, else
// the host.
func (r *Request) ForwardedHost() string { return r.forwarded.host }

// ForwardedPort returns X-Forwarded-Port when the client is trusted, else
// the port, as text.
func (r *Request) ForwardedPort() string { return r.forwarded.port }

// ForwardedPath returns X-Forwarded-Path when the client is trusted, else
// the raw path.
func (r *Request) ForwardedPath() string { return r.forwarded.path }

// ForwardedPrefix returns X-Forwarded-Prefix when the client is trusted,
// else the prefix the route stripped ("" for none).
func (r *Request) ForwardedPrefix() string { return r.forwarded.prefix }

// Client describes the client (Kong's kong.client).
type Client struct {
	peer      netip.AddrPort // the TCP peer (nginx $realip_remote_addr)
	peerIP    string
	realIP    netip.Addr // after the realip rules (nginx $remote_addr)
	realIPStr string
	trusted   bool
}

// IP returns the address of the TCP peer (kong.client.get_ip).
func (c *Client) IP() string { return c.peerIP }

// Port returns the TCP peer's port (kong.client.get_port).
func (c *Client) Port() int { return int(c.peer.Port()) }

// ForwardedIP returns the client address after the trusted_ips and
// real_ip_header rules (kong.client.get_forwarded_ip).
func (c *Client) ForwardedIP() string { return c.realIPStr }

// Addr returns the TCP peer's address.
func (c *Client) Addr() netip.AddrPort { return c.peer }

// ForwardedAddr returns ForwardedIP as an address.
func (c *Client) ForwardedAddr() netip.Addr { return c.realIP }

// Trusted reports whether the peer is in trusted_ips.
func (c *Client) Trusted() bool { return c.trusted }
