package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// Server serves a Proxy over HTTP/1.0 and HTTP/1.1 with the proxy's own
// engine: one goroutine per connection, pooled buffers, and per
// connection (not per request) the request, header and response state.
// Connections that speak HTTP/2 (TLS ones that negotiated h2 by ALPN,
// cleartext ones that open with the HTTP/2 preface) are handed to H2, a
// net/http server. Its Serve, Shutdown and Close behave as http.Server's.
//
// Requests are read as net/http reads them, stricter where nginx is: a
// request with both Transfer-Encoding and Content-Length, with
// Transfer-Encoding on HTTP/1.0, with duplicate or empty Content-Length,
// or with an obs-fold header line is refused with 400. There is no
// background read while the handler runs, so a client that goes away is
// noticed only when its connection is next used (nginx would log 499);
// the request's context ends when the connection closes.
type Server struct {
	// Proxy serves the requests.
	Proxy *Proxy
	// H2 serves the HTTP/2 connections; nil answers them as HTTP/1.x.
	H2 *http.Server
	// ReadHeaderTimeout bounds the reading of a request head (nginx's
	// client_header_timeout), IdleTimeout the wait for the next request on
	// a kept-alive connection (keepalive_timeout); 0 is no limit.
	ReadHeaderTimeout time.Duration
	IdleTimeout       time.Duration
	// MaxHeaderBytes bounds a request head (beyond it: 431); 0 is 1 MiB.
	MaxHeaderBytes int
	// Logger gets the panics that escaped a request; nil is slog.Default.
	Logger *slog.Logger

	initOnce   sync.Once
	ctx        context.Context
	cancel     context.CancelFunc
	mu         sync.Mutex
	listeners  map[*net.Listener]struct{}
	conns      map[*h1Conn]struct{}
	h2ln       *connListener
	inShutdown atomic.Bool
}

func (s *Server) init() {
	s.initOnce.Do(func() {
		s.ctx, s.cancel = context.WithCancel(context.Background())
		s.listeners = map[*net.Listener]struct{}{}
		s.conns = map[*h1Conn]struct{}{}
		if s.H2 != nil {
			s.h2ln = newConnListener()
			go func() { _ = s.H2.Serve(s.h2ln) }()
		}
	})
}

func (s *Server) maxHeaderBytes() int {
	if s.MaxHeaderBytes > 0 {
		return s.MaxHeaderBytes
	}
	return 1 << 20
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// Serve accepts connections on ln until it fails or the server is shut
// down (http.ErrServerClosed).
func (s *Server) Serve(ln net.Listener) error {
	s.init()
	s.mu.Lock()
	if s.inShutdown.Load() {
		s.mu.Unlock()
		return http.ErrServerClosed
	}
	s.listeners[&ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, &ln)
		s.mu.Unlock()
	}()
	var delay time.Duration
	for {
		rw, err := ln.Accept()
		if err != nil {
			if s.inShutdown.Load() {
				return http.ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		c := s.newConn(rw)
		if c == nil {
			rw.Close()
			continue
		}
		go c.serve()
	}
}

// Shutdown closes the listeners and the idle connections, then waits for
// the active ones to finish their request, until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.inShutdown.Store(true)
	s.mu.Lock()
	for ln := range s.listeners {
		(*ln).Close()
	}
	s.mu.Unlock()
	var h2err error
	if s.H2 != nil {
		h2err = s.H2.Shutdown(ctx)
	}
	wait := time.Millisecond
	for {
		if s.closeIdle() {
			return h2err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
			wait = min(2*wait, 500*time.Millisecond)
		}
	}
}

// Close closes the listeners and every connection at once.
func (s *Server) Close() error {
	s.init()
	s.inShutdown.Store(true)
	s.cancel()
	s.mu.Lock()
	for ln := range s.listeners {
		(*ln).Close()
	}
	for c := range s.conns {
		c.state.Store(connClosed)
		c.rwc.Close()
	}
	s.mu.Unlock()
	if s.H2 != nil {
		return s.H2.Close()
	}
	return nil
}

// closeIdle closes the idle connections and reports whether none is left.
func (s *Server) closeIdle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.state.CompareAndSwap(connIdle, connClosed) {
			c.rwc.Close()
		}
	}
	return len(s.conns) == 0
}

// Connection states: a connection waiting for a request is idle, one
// reading or serving a request active. Shutdown closes only idle ones;
// a connection turns active only from idle.
const (
	connIdle int32 = iota
	connActive
	connClosed
)

// h1Conn is a client connection and the state of its current request.
// The request strings are slices of one string per request head, so they
// stay valid after the request; the maps and buffers are reused.
type h1Conn struct {
	srv        *Server
	rwc        net.Conn
	tls        *tls.ConnectionState
	br         *bufio.Reader
	bw         *bufio.Writer
	remoteAddr string
	localPort  int
	ctx        context.Context
	cancel     context.CancelFunc
	state      atomic.Int32

	// the request
	in inbound
	headReader
	header        http.Header
	vals          []string // backing of the header's values
	body          h1Body
	expect100     bool // 100 Continue is sent on the body's first read
	wroteContinue bool
	wmu           sync.Mutex // orders 100 Continue (body goroutine) and the response head
	wantsClose    bool
	keepAlive10   bool
	lastPOST      bool

	// the response
	resHeader   http.Header
	status      int
	committed   bool // the head went to bw
	chunked     bool
	hasTrailers bool
	resLength   int64 // Content-Length, -1 when none
	written     int64
	pending     []byte // body held back until bufferBeforeChunking
	sortBuf     []string
	closeAfter  bool
	hijacked    bool
}

var (
	readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}
	writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 4096) }}
)

func (s *Server) newConn(rw net.Conn) *h1Conn {
	c := &h1Conn{srv: s, rwc: rw, remoteAddr: rw.RemoteAddr().String(),
		header: http.Header{}, resHeader: http.Header{}}
	if a, ok := rw.LocalAddr().(*net.TCPAddr); ok {
		c.localPort = a.Port
	}
	c.ctx, c.cancel = context.WithCancel(s.ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inShutdown.Load() {
		c.cancel()
		return nil
	}
	s.conns[c] = struct{}{}
	return c
}

// forget ends c's context and untracks it.
func (c *h1Conn) forget() {
	c.cancel()
	c.untrack()
}

// untrack removes c from the connections Shutdown and Close see.
func (c *h1Conn) untrack() {
	c.srv.mu.Lock()
	delete(c.srv.conns, c)
	c.srv.mu.Unlock()
}

// http2Preface opens every HTTP/2 connection with prior knowledge.
const http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

func (c *h1Conn) serve() {
	handedOver := false
	defer func() {
		if v := recover(); v != nil && v != http.ErrAbortHandler {
			c.srv.logger().Error("panic serving connection", "remote", c.remoteAddr, "panic", v, "stack", string(debug.Stack()))
		}
		c.forget()
		if !c.hijacked && !handedOver {
			c.rwc.Close()
			c.releaseBuffers()
		}
	}()
	s := c.srv
	if tc, ok := c.rwc.(*tls.Conn); ok {
		if d := s.ReadHeaderTimeout; d > 0 {
			_ = c.rwc.SetDeadline(time.Now().Add(d))
		}
		if err := tc.HandshakeContext(c.ctx); err != nil {
			var re tls.RecordHeaderError
			if errors.As(err, &re) && re.Conn != nil && looksLikeHTTP(re.RecordHeader) {
				_, _ = io.WriteString(re.Conn, "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
			}
			return
		}
		_ = c.rwc.SetDeadline(time.Time{})
		st := tc.ConnectionState()
		c.tls = &st
		if st.NegotiatedProtocol == "h2" && s.h2ln != nil {
			handedOver = c.handOver(tc)
			return
		}
	}
	c.br = readerPool.Get().(*bufio.Reader)
	c.br.Reset(c.rwc)
	c.bw = writerPool.Get().(*bufio.Writer)
	c.bw.Reset(c.rwc)

	for first := true; ; first = false {
		if c.br.Buffered() == 0 {
			timeout := s.IdleTimeout
			if first || timeout <= 0 {
				timeout = s.ReadHeaderTimeout
			}
			if timeout > 0 {
				_ = c.rwc.SetReadDeadline(time.Now().Add(timeout))
			}
			if _, err := c.br.Peek(1); err != nil {
				return
			}
		}
		if !c.state.CompareAndSwap(connIdle, connActive) {
			return // closed by Shutdown
		}
		if first && c.tls == nil && s.h2ln != nil && c.h2Preface() {
			handedOver = c.handOver(&replayConn{Conn: c.rwc, r: c.br})
			return
		}
		if d := s.ReadHeaderTimeout; d > 0 {
			_ = c.rwc.SetReadDeadline(time.Now().Add(d))
		}
		err := c.readHead()
		if err == nil {
			err = c.parseHead()
		}
		if err != nil {
			c.refuse(err)
			return
		}
		_ = c.rwc.SetReadDeadline(time.Time{})
		c.resetResponse()
		c.closeAfter = false
		ex := s.Proxy.exchange()
		ex.in = c.in
		if s.Proxy.serveExchange(ex, c, time.Now()) {
			_ = c.bw.Flush() // what was framed goes; the rest is cut
			return
		}
		if c.hijacked {
			return
		}
		if err := c.finishResponse(); err != nil || c.closeAfter {
			c.closeWrite()
			return
		}
		if c.in.length != 0 && !c.body.done() {
			return
		}
		c.state.Store(connIdle)
		if s.inShutdown.Load() {
			return
		}
	}
}

// h2Preface reports whether the connection opens with the HTTP/2
// preface, reading only as far as the bytes agree with it.
func (c *h1Conn) h2Preface() bool {
	for n := 1; n <= len(http2Preface); n++ {
		p, err := c.br.Peek(n)
		if err != nil || p[n-1] != http2Preface[n-1] {
			return false
		}
	}
	return true
}

// handOver gives the connection to the HTTP/2 server.
func (c *h1Conn) handOver(conn net.Conn) bool {
	return c.srv.h2ln.deliver(conn)
}

// refuse answers a request refused before the handler as net/http does,
// then closes the connection; a read error or timeout gets no answer.
func (c *h1Conn) refuse(err error) {
	var he *h1Error
	if !errors.As(err, &he) {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) && len(c.head) == 0 {
			return
		}
		var ne net.Error
		if errors.As(err, &ne) || errors.Is(err, net.ErrClosed) {
			return
		}
		he = errH1Bad
	}
	if he == errH1Expect {
		// net/http's sendExpectationFailed: an ordinary response.
		c.bw.WriteString("HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nContent-Length: 0\r\n")
		writeDate(c.bw)
		c.bw.WriteString("\r\n")
	} else {
		text := http.StatusText(he.status)
		if he.text != "" {
			text += ": " + he.text
		}
		if he == errH1TE {
			c.bw.WriteString("HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nUnsupported transfer encoding")
		} else {
			status := itoa3(he.status)
			c.bw.WriteString("HTTP/1.1 " + status + " " + text +
				"\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n" + status + " " + text)
		}
	}
	if c.bw.Flush() == nil {
		c.closeWrite()
	}
}

func itoa3(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}

// closeWrite half-closes the connection and waits a little for the client
// to close, so that its unread request bytes do not reset the connection
// before it reads the response (net/http's closeWriteAndWait).
func (c *h1Conn) closeWrite() {
	if cw, ok := c.rwc.(interface{ CloseWrite() error }); ok {
		if cw.CloseWrite() != nil {
			return
		}
	} else {
		return
	}
	_ = c.rwc.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	var buf [4096]byte
	for range 1 << 16 { // ends at the deadline, or when the client closes

		if _, err := c.br.Read(buf[:]); err != nil {
			return
		}
	}
}

// writeContinue sends 100 Continue before the body's first read, unless
// the response started.
func (c *h1Conn) writeContinue() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.wroteContinue = true
	if c.committed {
		return nil
	}
	c.bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
	return c.bw.Flush()
}

func (c *h1Conn) releaseBuffers() {
	if c.br != nil {
		c.br.Reset(nil)
		readerPool.Put(c.br)
		c.br = nil
	}
	if c.bw != nil {
		c.bw.Reset(nil)
		writerPool.Put(c.bw)
		c.bw = nil
	}
}

// looksLikeHTTP reports whether a TLS record header is the start of a
// plain HTTP request.
func looksLikeHTTP(h [5]byte) bool {
	switch string(h[:]) {
	case "GET /", "HEAD ", "POST ", "PUT /", "OPTIO":
		return true
	}
	return false
}

// replayConn is a connection whose first bytes were already read into r.
type replayConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *replayConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// connListener is an in-memory listener: it yields the connections
// handed to it (to the HTTP/2 server).
type connListener struct {
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func newConnListener() *connListener {
	return &connListener{ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *connListener) deliver(c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *connListener) Addr() net.Addr { return connListenerAddr{} }

type connListenerAddr struct{}

func (connListenerAddr) Network() string { return "memory" }
func (connListenerAddr) String() string  { return "h2" }
