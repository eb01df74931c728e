package stream

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	lb "github.com/silverback-gw/silverback/internal/balancer"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// ErrServerClosed is returned by the Serve methods after Shutdown or Close.
var ErrServerClosed = errors.New("stream: server closed")

// Server is the stream (L4) data plane: it serves the stream_listen
// listeners, routes each TCP connection and UDP session with the current
// runtime snapshot's stream router and proxies it to its service.
type Server struct {
	opts      Options
	log       *slog.Logger
	balancers *lb.Set
	ownSet    bool // balancers is the Server's own, closed by Close
	hosts     *lb.Hosts
	certs     runtime.CertCache // upstream client certificates and CA pools

	mu        sync.Mutex
	closed    bool
	listeners map[io.Closer]struct{}
	conns     map[io.Closer]struct{} // TCP client connections
	datagrams map[io.Closer]struct{} // UDP sessions
	wg        sync.WaitGroup         // session goroutines
}

// New returns a Server serving with opts.
func New(opts Options) *Server {
	s := &Server{
		opts:      opts,
		log:       opts.Logger,
		balancers: opts.Balancers,
		hosts:     lb.NewHosts(opts.DNS),
		listeners: map[io.Closer]struct{}{},
		conns:     map[io.Closer]struct{}{},
		datagrams: map[io.Closer]struct{}{},
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.balancers == nil {
		s.balancers, s.ownSet = lb.NewSet(lb.Options{DNS: opts.DNS, Logger: s.log}), true
	}
	return s
}

// ServeTCP accepts connections on ln until it is closed, each served in a
// goroutine of its own. On a listener with the ssl flag (tls), the
// ClientHello is read first: tls routes get their TLS terminated with
// Options.TLS, tls_passthrough routes are proxied as they came.
func (s *Server) ServeTCP(ln net.Listener, tls bool) error {
	if tls && s.opts.TLS == nil {
		return errors.New("stream: a TLS listener needs Options.TLS")
	}
	if !s.track(s.listeners, ln) {
		return ErrServerClosed
	}
	defer s.untrack(s.listeners, ln)
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// Out of file descriptors and the like: wait, as net/http does.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.log.Error("stream accept failed", "addr", ln.Addr().String(), "error", err, "retry_in", delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		s.goSession(s.conns, c, func() { s.serveConn(c, tls) })
	}
}

// goSession runs serve in a goroutine while c is tracked in set (closed
// by Close), or closes c when the server is closed.
func (s *Server) goSession(set map[io.Closer]struct{}, c io.Closer, serve func()) {
	if !s.track(set, c) {
		c.Close()
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer s.untrack(set, c)
		serve()
	}()
}

func (s *Server) track(set map[io.Closer]struct{}, c io.Closer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	set[c] = struct{}{}
	return true
}

func (s *Server) untrack(set map[io.Closer]struct{}, c io.Closer) {
	s.mu.Lock()
	delete(set, c)
	s.mu.Unlock()
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Shutdown closes the listeners and the UDP sessions (which only end by
// timing out), and waits for the TCP connections in flight to end until
// ctx is done, then closes them.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeListeners()
	s.closeSessions(s.datagrams)
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		s.closeSessions(s.conns)
		<-done
	}
	s.release()
	return ctx.Err()
}

// Close closes the listeners and every session at once.
func (s *Server) Close() error {
	s.closeListeners()
	s.closeSessions(s.conns)
	s.closeSessions(s.datagrams)
	s.wg.Wait()
	s.release()
	return nil
}

func (s *Server) closeListeners() {
	s.mu.Lock()
	s.closed = true
	for l := range s.listeners {
		l.Close()
	}
	s.mu.Unlock()
}

func (s *Server) closeSessions(set map[io.Closer]struct{}) {
	s.mu.Lock()
	for c := range set {
		c.Close()
	}
	s.mu.Unlock()
}

func (s *Server) release() {
	if s.ownSet {
		s.balancers.Close()
	}
}

// destination is the address routes see as the destination: the local
// address with its port mapped by port_maps (Kong's ctx.host_port).
func (s *Server) destination(local netip.AddrPort) netip.AddrPort {
	if p, ok := s.opts.PortMaps[int(local.Port())]; ok {
		return netip.AddrPortFrom(local.Addr(), uint16(p))
	}
	return local
}

// addrPort is a connection address as a netip.AddrPort (zero when it is
// not an IP address).
func addrPort(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.AddrPort()
	case *net.UDPAddr:
		return a.AddrPort()
	}
	return netip.AddrPort{}
}
