package stream

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	lb "github.com/silverback-gw/silverback/internal/balancer"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/router"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// maxDatagram is the largest UDP payload.
const maxDatagram = 65535

// maxPending bounds the datagrams a session queues while it is set up.
const maxPending = 64

var datagramBuffers = sync.Pool{New: func() any { return new([maxDatagram]byte) }}

// udpListener is one UDP listening socket and its sessions, one per
// client address (nginx's UDP sessions).
type udpListener struct {
	s    *Server
	conn *net.UDPConn
	dst  netip.AddrPort // the destination routes see

	mu       sync.Mutex
	sessions map[netip.AddrPort]*udpSession
}

// udpSession relays one client's datagrams to an upstream over a
// connected socket of its own, and the upstream's back, until neither
// side sent anything for the service's timeout.
type udpSession struct {
	l      *udpListener
	client netip.AddrPort

	up      atomic.Pointer[net.UDPConn] // set once connected
	mu      sync.Mutex                  // guards pending and closed until up is set
	pending [][]byte
	closed  bool
	idle    atomic.Pointer[idleTimer]
}

// ServeUDP relays the datagrams received on conn until it is closed.
// Routes see the socket's local address as the destination; on a
// wildcard address (0.0.0.0, ::) that is the wildcard, not the address
// a datagram was sent to.
func (s *Server) ServeUDP(conn *net.UDPConn) error {
	if !s.track(s.listeners, conn) {
		return ErrServerClosed
	}
	defer s.untrack(s.listeners, conn)
	l := &udpListener{s: s, conn: conn, dst: s.destination(addrPort(conn.LocalAddr())),
		sessions: map[netip.AddrPort]*udpSession{}}
	buf := make([]byte, maxDatagram)
	for {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			continue // an ICMP error reported on the socket and the like
		}
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		l.session(from).deliver(buf[:n])
	}
}

// session returns the client's session, starting one for a new client.
func (l *udpListener) session(client netip.AddrPort) *udpSession {
	l.mu.Lock()
	defer l.mu.Unlock()
	if us := l.sessions[client]; us != nil {
		return us
	}
	us := &udpSession{l: l, client: client}
	l.sessions[client] = us
	l.s.goSession(l.s.datagrams, us, us.run)
	return us
}

// deliver sends a client datagram upstream, or queues a copy while the
// session is being set up (dropping it when the queue is full or the
// session ended, as UDP may).
func (us *udpSession) deliver(b []byte) {
	if up := us.up.Load(); up != nil {
		us.send(up, b)
		return
	}
	us.mu.Lock()
	defer us.mu.Unlock()
	if up := us.up.Load(); up != nil {
		us.send(up, b)
		return
	}
	if !us.closed && len(us.pending) < maxPending {
		us.pending = append(us.pending, append([]byte(nil), b...))
	}
}

func (us *udpSession) send(up *net.UDPConn, b []byte) {
	if t := us.idle.Load(); t != nil {
		t.touch()
	}
	_, _ = up.Write(b)
}

// Close ends the session.
func (us *udpSession) Close() error {
	us.mu.Lock()
	us.closed = true
	us.mu.Unlock()
	if up := us.up.Load(); up != nil {
		return up.Close()
	}
	return nil
}

// run routes the session, connects it and relays the upstream's
// datagrams to the client until the session ends.
func (us *udpSession) run() {
	l := us.l
	defer func() {
		l.mu.Lock()
		delete(l.sessions, us.client)
		l.mu.Unlock()
		us.Close()
	}()
	s := l.s
	snap := s.opts.Snapshots.Load()
	req := router.StreamRequest{Source: us.client, Destination: l.dst}
	b := s.route(snap, &req)
	if b == nil || !s.hasService(b, &req) {
		return
	}
	var tries lb.Tries
	up, connectTime, ok := us.connect(snap, b.Service, &tries)
	if !ok {
		return
	}
	res := us.relay(up, proxyTimeout(b.Service))
	if s.log.Enabled(context.Background(), slog.LevelDebug) {
		s.log.Debug("stream udp session ended", "client", us.client.String(), "peer", up.RemoteAddr().String(),
			"bytes_to_client", res.toClient, "timed_out", res.timedOut)
	}
	tries.Report(lb.Outcome{Status: 200, Latency: max(connectTime, time.Nanosecond)})
}

// connect picks the session's upstream and opens a connected socket to
// it, then sends the queued datagrams.
func (us *udpSession) connect(snap *runtime.Snapshot, svc *entities.Service, tries *lb.Tries) (*net.UDPConn, time.Duration, bool) {
	s := us.l.s
	pr, perr := tries.Prepare(context.Background(), s.balancers, s.hosts, snap.Upstreams, svc.Host, svc.Port, clientHash(us.client))
	if perr != nil {
		s.log.Error("unable to proxy stream connection", "status", perr.Status, "err", perr.Message, "client", us.client.String())
		return nil, 0, false
	}
	var up *net.UDPConn
	var connectTime time.Duration
	for try := 0; ; try++ {
		if try > 0 {
			var ok bool
			if pr, ok = tries.Next(try); !ok {
				break
			}
		}
		start := time.Now()
		var err error
		if up, err = net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(pr.Addr)); err == nil {
			connectTime = time.Since(start)
			break
		}
		tries.Report(failure(err))
		if try >= svc.Retries {
			break
		}
	}
	if up == nil {
		s.log.Error("stream upstream connect failed", "client", us.client.String(), "service", svc.ID, "peer", pr.Addr.String())
		return nil, 0, false
	}
	us.mu.Lock()
	defer us.mu.Unlock()
	if us.closed {
		up.Close()
		tries.Report(lb.Outcome{})
		return nil, 0, false
	}
	for _, d := range us.pending {
		_, _ = up.Write(d)
	}
	us.pending = nil
	us.up.Store(up)
	return up, connectTime, true
}

// relay writes the upstream's datagrams to the client until the session
// is idle for timeout or the upstream socket fails.
func (us *udpSession) relay(up *net.UDPConn, timeout time.Duration) pipeResult {
	idle := newIdleTimer(timeout, func() { up.Close() })
	us.idle.Store(idle)
	defer idle.stop()
	buf := datagramBuffers.Get().(*[maxDatagram]byte)
	defer datagramBuffers.Put(buf)
	var res pipeResult
	for {
		n, err := up.Read(buf[:])
		if err != nil {
			res.timedOut = idle.expired.Load()
			return res
		}
		idle.touch()
		if _, err := us.l.conn.WriteToUDPAddrPort(buf[:n], us.client); err == nil {
			res.toClient += int64(n)
		}
	}
}
