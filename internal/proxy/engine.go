package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

// clientWriter is an HTTP engine's side of a response: what the runloop
// needs from the client's connection. Both engines implement it:
// netHTTPWriter over an http.ResponseWriter, h1Conn natively.
type clientWriter interface {
	// Header is the response header, sent by WriteHeader. Keys with
	// http.TrailerPrefix set trailers, as with net/http.
	Header() http.Header
	WriteHeader(status int)
	Write(p []byte) (int, error)
	// Flush sends what was written so far.
	Flush()
	// canHijack reports whether Hijack can take the connection over (not
	// on HTTP/2).
	canHijack() bool
	// Hijack takes the connection over (an upgrade); the reader holds
	// what the client sent beyond the request.
	Hijack() (net.Conn, *bufio.ReadWriter, error)
	// SetReadDeadline bounds the reads of the request body.
	SetReadDeadline(t time.Time) error
}

// inbound is a request as an engine read it, before the State is filled.
type inbound struct {
	ctx          context.Context
	method       string
	target       string // the request target as sent
	lineLen      int    // method, target and protocol, without separators
	major, minor int
	host         string      // Host, or the absolute-form target's host
	header       http.Header // without Host
	length       int64       // Content-Length, -1 when chunked
	body         io.Reader   // nil or empty when there is none
	tls          *tls.ConnectionState
	remoteAddr   string
	localPort    int // 0 when unknown
}

// netHTTPWriter adapts net/http's ResponseWriter to clientWriter.
type netHTTPWriter struct{ w http.ResponseWriter }

func (n *netHTTPWriter) Header() http.Header         { return n.w.Header() }
func (n *netHTTPWriter) WriteHeader(status int)      { n.w.WriteHeader(status) }
func (n *netHTTPWriter) Write(p []byte) (int, error) { return n.w.Write(p) }
func (n *netHTTPWriter) SetReadDeadline(t time.Time) error {
	return http.NewResponseController(n.w).SetReadDeadline(t)
}

func (n *netHTTPWriter) Flush() {
	if f, ok := n.w.(http.Flusher); ok {
		f.Flush()
	}
}

func (n *netHTTPWriter) canHijack() bool {
	_, ok := n.w.(http.Hijacker)
	return ok
}

func (n *netHTTPWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if hj, ok := n.w.(http.Hijacker); ok {
		return hj.Hijack()
	}
	return nil, nil, errNotHijackable
}

var errNotHijackable = errors.New("connection cannot be hijacked")

// fromNetHTTP describes r as an inbound request.
func fromNetHTTP(in *inbound, r *http.Request) {
	*in = inbound{
		ctx:        r.Context(),
		method:     r.Method,
		target:     r.RequestURI,
		lineLen:    len(r.Method) + len(r.RequestURI) + len(r.Proto),
		major:      r.ProtoMajor,
		minor:      r.ProtoMinor,
		host:       r.Host,
		header:     r.Header,
		length:     r.ContentLength,
		body:       r.Body,
		tls:        r.TLS,
		remoteAddr: r.RemoteAddr,
	}
	if a, ok := in.ctx.Value(http.LocalAddrContextKey).(*net.TCPAddr); ok {
		in.localPort = a.Port
	}
}
