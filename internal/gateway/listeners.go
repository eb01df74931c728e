package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/proxy"
)

// server is one bound listener and the HTTP server on it.
type server struct {
	name string // "proxy", "admin" or "status"
	ln   net.Listener
	srv  httpServer
}

// httpServer is an *http.Server or a *proxy.Server.
type httpServer interface {
	Serve(net.Listener) error
	Shutdown(context.Context) error
	Close() error
}

// connStater is a handler that counts connections.
type connStater interface {
	ConnState(net.Conn, http.ConnState)
}

// listen binds every entry of a *_listen property for handler. TLS
// entries use tlsConfig (listenerTLS's, never nil when an entry has ssl),
// offering h2 by ALPN only on entries with http2. The proxy serves
// HTTP/1.x with its native engine unless engine (proxy_http1_engine) is
// "nethttp"; HTTP/2 stays with net/http.
func listen(name string, entries []conf.Listener, handler http.Handler, tlsConfig *tls.Config, engine string, log *slog.Logger) ([]*server, error) {
	var out []*server
	for _, l := range entries {
		ln, err := net.Listen("tcp", l.Addr())
		if err != nil {
			closeAll(out)
			return nil, fmt.Errorf("%s_listen %s: %w", name, l.Addr(), err)
		}
		srv := &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: 60 * time.Second, // nginx client_header_timeout
			IdleTimeout:       75 * time.Second, // nginx keepalive_timeout
			// The proxy applies nginx's header limits itself to answer in
			// Kong's error format; this only bounds what is read.
			MaxHeaderBytes: 1 << 20,
			ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelDebug),
			// "OPTIONS *" is the handler's to answer (nginx: 400), not Go's 200.
			DisableGeneralOptionsHandler: true,
		}
		if cs, ok := handler.(connStater); ok {
			srv.ConnState = cs.ConnState // the Admin API's /status connection counters
		}
		var protocols http.Protocols
		protocols.SetHTTP1(true)
		if l.HTTP2 {
			protocols.SetHTTP2(l.SSL)
			protocols.SetUnencryptedHTTP2(!l.SSL)
		}
		srv.Protocols = &protocols
		if l.SSL {
			c := tlsConfig.Clone()
			if l.HTTP2 {
				c.NextProtos = []string{"h2", "http/1.1"}
			} else {
				c.NextProtos = []string{"http/1.1"}
			}
			srv.TLSConfig = c
			ln = tls.NewListener(ln, c)
		}
		if p, ok := handler.(*proxy.Proxy); ok && engine != "nethttp" {
			ns := &proxy.Server{Proxy: p, ReadHeaderTimeout: srv.ReadHeaderTimeout, IdleTimeout: srv.IdleTimeout,
				MaxHeaderBytes: srv.MaxHeaderBytes, Logger: log}
			if l.HTTP2 {
				ns.H2 = srv // TLS with ALPN h2, or cleartext with the HTTP/2 preface
			}
			out = append(out, &server{name: name, ln: ln, srv: ns})
			continue
		}
		out = append(out, &server{name: name, ln: ln, srv: srv})
	}
	return out, nil
}

func (s *server) serve(log *slog.Logger) {
	if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("listener stopped", "listener", s.name, "addr", s.ln.Addr().String(), "error", err)
	}
}

func closeAll(servers []*server) {
	for _, s := range servers {
		s.ln.Close()
	}
}
