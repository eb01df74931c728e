package proxy

import (
	"bytes"
	"crypto/tls"
	"io"
	"net/http"
	"strings"

	lb "github.com/silverback-gw/silverback/internal/balancer"
)

// isGRPC reports whether the service is reached over HTTP/2, as nginx's
// grpc module does for services of protocol grpc (cleartext, prior
// knowledge) and grpcs (TLS, ALPN h2).
func (r *ServiceRequest) isGRPC() bool { return r.scheme == "grpc" || r.scheme == "grpcs" }

// IsGRPC reports whether the request is a gRPC call: HTTP/2 with a
// Content-Type starting with application/grpc (Kong's is_grpc_request).
// The gateway's own responses to such requests carry their status in
// grpc-status and grpc-message.
func (r *Request) IsGRPC() bool {
	return r.version == "2" && strings.HasPrefix(r.header.Get("Content-Type"), "application/grpc")
}

// noUserAgent keeps net/http from sending its own User-Agent when the
// client sent none (nginx adds none).
var noUserAgent = []string{""}

// tryH2 sends the service request to one peer over HTTP/2 and waits for
// the response head. A failure to connect may be retried on another
// peer; a later one only as on HTTP/1.1 (an idempotent request whose body
// was not streamed), which a gRPC call, a POST, never is.
func (p *Proxy) tryH2(ex *exchange, pr lb.Peer, host string) tryResult {
	s := &ex.State
	svc := s.service
	key := poolKey{addr: pr.Addr, h2: true}
	if s.upstream.scheme == "grpcs" {
		tlsKey(&key, svc, s.snap.Upstreams[svc.Host], host)
	}
	c := p.transport.h2.get(key)
	if c == nil {
		var tlsConfig *tls.Config
		if key.tls {
			var err error
			if tlsConfig, err = p.transport.clientTLS(s.snap, key); err != nil {
				return tryResult{status: http.StatusInternalServerError, err: err}
			}
		}
		var err error
		if c, err = p.transport.h2.dial(ex.ctx, key, tlsConfig, millis(svc.ConnectTimeout)); err != nil {
			return tryResult{status: failureStatus(err), retry: true, err: err}
		}
	}
	st := &ex.h2
	st.start(ex.ctx, millis(svc.ReadTimeout), millis(svc.WriteTimeout))
	ex.conn = st
	req, err := p.h2Request(ex, st, host)
	if err != nil {
		c.cc.Release()
		return p.failed(ex, st, err)
	}
	resp, err := c.cc.RoundTrip(req)
	st.headReceived()
	if err != nil {
		return p.failed(ex, st, st.cause(err))
	}
	st.body, resp.Body = resp.Body, st
	return tryResult{resp: resp, conn: st}
}

// h2Request builds the request of a stream: the service request's method,
// path and query, host as :authority, and its headers but those HTTP/2
// forbids (Connection, Keep-Alive, Proxy-Connection, Upgrade, TE unless
// "trailers"; Transfer-Encoding and Content-Length are the framing's). A
// body not read yet is streamed through a pipe by the exchange's body
// goroutine.
func (p *Proxy) h2Request(ex *exchange, st *h2Stream, host string) (*http.Request, error) {
	s := &ex.State
	u := &s.upstream
	req, err := http.NewRequestWithContext(st.ctx, u.method, "", nil)
	if err != nil {
		return nil, err
	}
	req.URL.Scheme = "http"
	if u.scheme == "grpcs" {
		req.URL.Scheme = "https"
	}
	req.URL.Host, req.Host = host, host
	req.URL.Opaque = escapeTarget(u.path)
	req.URL.RawQuery, req.URL.ForceQuery = escapeTarget(u.rawQuery), u.hasQuery
	h := make(http.Header, len(u.header.fields)+1)
	userAgent := false
	for _, f := range u.header.fields {
		if !validField(f.Name, f.Value) || isFramingHeader(f.Name) || !h2Field(f.Name, f.Value) {
			continue
		}
		userAgent = userAgent || strings.EqualFold(f.Name, "User-Agent")
		h[f.Name] = append(h[f.Name], f.Value)
	}
	if !userAgent {
		h["User-Agent"] = noUserAgent
	}
	req.Header = h

	if body, ok := s.bodyToSend(); ok {
		if len(body) > 0 {
			req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}
		st.requestSent()
	} else if length := s.request.length; length == 0 {
		st.requestSent()
	} else {
		pr, pw := io.Pipe()
		st.pipe = pw
		req.Body, req.ContentLength = pr, length
		ex.startBody(&h2Body{st: st, cancel: st.cancel, pipe: pw}, length)
	}
	return req, nil
}

// h2Field reports whether a header field may go in an HTTP/2 request.
func h2Field(name, value string) bool {
	switch {
	case strings.EqualFold(name, "Connection"), strings.EqualFold(name, "Keep-Alive"),
		strings.EqualFold(name, "Proxy-Connection"), strings.EqualFold(name, "Upgrade"):
		return false
	case strings.EqualFold(name, "TE"):
		return value == "trailers"
	}
	return true
}

// copyTrailers passes the upstream's trailers (gRPC's grpc-status and
// grpc-message) to the client, as nginx's grpc module does.
func copyTrailers(dst, trailers http.Header) {
	for name, values := range trailers {
		dst[trailerKey(name)] = values
	}
}

// trailerKey is the response header key that sets trailer name.
func trailerKey(name string) string {
	switch name {
	case "Grpc-Status":
		return http.TrailerPrefix + "Grpc-Status"
	case "Grpc-Message":
		return http.TrailerPrefix + "Grpc-Message"
	case "Grpc-Status-Details-Bin":
		return http.TrailerPrefix + "Grpc-Status-Details-Bin"
	}
	return http.TrailerPrefix + name
}
