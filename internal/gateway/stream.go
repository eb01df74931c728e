package gateway

import (
	"errors"
	"fmt"
	"net"

	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/stream"
)

// streamListener is one bound stream_listen entry: a TCP listener (with
// the ssl flag or not) or a UDP socket.
type streamListener struct {
	tcp net.Listener
	udp *net.UDPConn
	ssl bool
}

func (l streamListener) addr() string {
	if l.udp != nil {
		return l.udp.LocalAddr().String()
	}
	return l.tcp.Addr().String()
}

func (l streamListener) close() {
	if l.udp != nil {
		l.udp.Close()
		return
	}
	l.tcp.Close()
}

// listenStream binds the stream_listen entries and builds the stream
// server, nil when there are none. TLS entries terminate with the proxy's
// certificates (ssl_cert, else the default, and certificates entities by
// SNI), as in Kong where both subsystems share them.
func (g *Gateway) listenStream() (*stream.Server, []streamListener, error) {
	entries := g.cfg.StreamListen
	if len(entries) == 0 {
		return nil, nil, nil
	}
	tlsConfig, err := listenerTLS(g.cfg, "kong", entries, g.cfg.SSL, g.holder, g.log)
	if err != nil {
		return nil, nil, err
	}
	var out []streamListener
	for _, l := range entries {
		sl, err := bindStream(l)
		if err != nil {
			closeStream(out)
			return nil, nil, fmt.Errorf("stream_listen %s: %w", l.Addr(), err)
		}
		out = append(out, sl)
	}
	srv := stream.New(stream.Options{
		Snapshots: g.holder,
		TLS:       tlsConfig,
		Balancers: g.balancers,
		DNS:       g.dns,
		PortMaps:  g.cfg.PortMaps,
		HalfClose: g.cfg.StreamHalfClose,
		Logger:    g.log,
	})
	return srv, out, nil
}

// bindStream binds one entry. A udp entry with the ssl flag is served as
// plain UDP (there is no DTLS).
func bindStream(l conf.Listener) (streamListener, error) {
	if l.UDP {
		addr, err := net.ResolveUDPAddr("udp", l.Addr())
		if err != nil {
			return streamListener{}, err
		}
		c, err := net.ListenUDP("udp", addr)
		return streamListener{udp: c}, err
	}
	ln, err := net.Listen("tcp", l.Addr())
	return streamListener{tcp: ln, ssl: l.SSL}, err
}

func closeStream(ls []streamListener) {
	for _, l := range ls {
		l.close()
	}
}

// serveStream serves the stream listeners until the stream server stops.
func (g *Gateway) serveStream(srv *stream.Server, ls []streamListener) {
	for _, l := range ls {
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			var err error
			if l.udp != nil {
				err = srv.ServeUDP(l.udp)
			} else {
				err = srv.ServeTCP(l.tcp, l.ssl)
			}
			if err != nil && !errors.Is(err, stream.ErrServerClosed) {
				g.log.Error("listener stopped", "listener", "stream", "addr", l.addr(), "error", err)
			}
		}()
		g.log.Info("listening", "listener", "stream", "addr", l.addr())
	}
}
