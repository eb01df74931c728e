package stream

import (
	"context"
	"crypto/tls"
	"net"
	"slices"
	"time"

	"github.com/silverback-gw/silverback/internal/router"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// handshakeTimeout bounds the TLS handshake of a terminated connection
// (nginx's ssl_handshake_timeout default).
const handshakeTimeout = 60 * time.Second

// streamProtocols are the service protocols of the stream subsystem
// (Kong's PROTOCOLS_WITH_SUBSYSTEM entries for "stream").
var streamProtocols = []string{"tcp", "tls", "udp", "tls_passthrough"}

// serveConn routes one TCP connection and proxies it, as Kong's preread
// phase does: on a plain listener, at once; on a TLS listener, after
// reading the ClientHello, with a second routing once TLS is terminated
// (Kong's TLS terminator socket routes again). The connection is closed
// when the function returns.
func (s *Server) serveConn(c net.Conn, tlsListener bool) {
	defer c.Close()
	snap := s.opts.Snapshots.Load()
	local := addrPort(c.LocalAddr())
	req := router.StreamRequest{Source: addrPort(c.RemoteAddr()), Destination: s.destination(local)}
	if !tlsListener {
		if b := s.route(snap, &req); b != nil && s.hasService(b, &req) {
			s.proxyTCP(c, snap, b, proxyMode{})
		}
		return
	}
	h, err := prereadHello(c)
	if err != nil {
		s.log.Debug("stream preread failed", "client", req.Source.String(), "error", err)
		return
	}
	req.TLS, req.SNI = h.tls, h.sni
	b := s.route(snap, &req)
	switch {
	case b == nil:
	case slices.Contains(b.Route.Protocols, "tls"):
		s.terminate(&prefixConn{Conn: c, prefix: h.bytes}, snap, req)
	case slices.Contains(b.Route.Protocols, "tls_passthrough"):
		if s.hasService(b, &req) {
			s.proxyTCP(c, snap, b, proxyMode{passthrough: true, replay: h.bytes})
		}
	default:
		s.log.Error("unexpected protocols in matched Route", "route", b.Route.ID, "client", req.Source.String())
	}
}

// terminate completes the TLS handshake with the certificate the
// listener's configuration picks, routes the connection again with the
// handshake's SNI, and proxies the decrypted stream. The second routing
// is Kong's: without an SNI the connection is no longer TLS to the router
// (its SNIs then do not constrain), and the destination port is the
// listener's own, unmapped (Kong reads it from the PROXY protocol header
// its terminator receives).
func (s *Server) terminate(c net.Conn, snap *runtime.Snapshot, first router.StreamRequest) {
	tc := tls.Server(c, s.opts.TLS)
	ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
	err := tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		s.log.Debug("stream TLS handshake failed", "client", first.Source.String(), "error", err)
		return
	}
	sni := tc.ConnectionState().ServerName
	req := router.StreamRequest{TLS: sni != "", SNI: sni, Source: first.Source, Destination: addrPort(c.LocalAddr())}
	if b := s.route(snap, &req); b != nil && s.hasService(b, &req) {
		s.proxyTCP(tc, snap, b, proxyMode{clientSNI: sni})
	}
}

// route matches req with the snapshot's stream router and returns the
// matched route's binding, else nil, having logged Kong's error.
func (s *Server) route(snap *runtime.Snapshot, req *router.StreamRequest) *runtime.Binding {
	var rt *router.Route
	ok := false
	if snap != nil && snap.StreamRouter != nil {
		rt, ok = snap.StreamRouter.Match(req)
	}
	if !ok {
		s.log.Error("no Route found with those values", "client", req.Source.String(),
			"server", req.Destination.String(), "sni", req.SNI)
		return nil
	}
	return rt.Payload.(*runtime.Binding)
}

// hasService reports whether b has a service the stream subsystem can
// proxy to, having logged Kong's warning when not. Kong checks it once
// the connection reaches the server that proxies it: on a TLS listener,
// after the handshake of a terminated connection.
func (s *Server) hasService(b *runtime.Binding, req *router.StreamRequest) bool {
	svc := b.Service
	if svc != nil && slices.Contains(streamProtocols, svc.Protocol) {
		return true
	}
	if svc != nil {
		s.log.Warn("service with protocol '"+svc.Protocol+"' cannot be used with 'stream' subsystem", "service", svc.ID)
	}
	s.log.Warn("no Service found with those values", "route", b.Route.ID, "client", req.Source.String())
	return false
}
