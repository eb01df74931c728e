package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/silverback-gw/silverback/internal/runtime"
)

// transport owns the connections to upstreams: it dials them (plain TCP or
// TLS) and keeps idle ones in pools keyed like Kong's keepalive pools
// (address, and for TLS the server name and verification), within
// upstream_keepalive_pool_size, _max_requests and _idle_timeout.
type transport struct {
	opts  transportOptions
	certs runtime.CertCache // client certificates and CA pools, parsed once
	h2    *h2Pool           // the HTTP/2 connections of gRPC services

	mu     sync.Mutex
	idle   map[poolKey][]*upConn // oldest first
	nidle  int
	sweep  *time.Timer
	closed bool
}

type transportOptions struct {
	poolSize    int           // idle connections per key; 0 disables keep-alive
	maxRequests int           // requests per connection; 0 means no limit
	idleTimeout time.Duration // 0 means no limit
}

// poolKey identifies connections that can serve each other's requests.
type poolKey struct {
	addr     netip.AddrPort
	h2       bool // HTTP/2 (gRPC services), else HTTP/1.1
	tls      bool
	settings runtime.UpstreamTLS // when tls
}

// upConn is a connection to an upstream. Its Read and Write set a
// deadline before each call: nginx's proxy_read_timeout and
// proxy_send_timeout bound the time between two successive reads or
// writes, not a whole response.
type upConn struct {
	t      *transport
	conn   net.Conn
	br     *bufio.Reader
	bw     *bufio.Writer
	key    poolKey
	peek   *peeker
	uses   int
	idleAt time.Time
	reused bool  // taken from the pool (it may have been closed meanwhile)
	nread  int64 // bytes read in the current exchange
	res    responseReader

	readTimeout, writeTimeout time.Duration
}

func (c *upConn) Read(p []byte) (int, error) {
	if c.readTimeout > 0 {
		_ = c.conn.SetReadDeadline(time.Now().Add(c.readTimeout))
	}
	n, err := c.conn.Read(p)
	c.nread += int64(n)
	return n, err
}

func (c *upConn) Write(p []byte) (int, error) {
	if c.writeTimeout > 0 {
		_ = c.conn.SetWriteDeadline(time.Now().Add(c.writeTimeout))
	}
	return c.conn.Write(p)
}

func (c *upConn) close() { _ = c.conn.Close() }

func (c *upConn) writeBody(body io.Reader, length int64, buf []byte) error {
	return writeBody(c.bw, body, length, buf)
}

func (c *upConn) abort() { c.close() }

func (c *upConn) buffered() bool { return c.br.Buffered() > 0 }

func (c *upConn) finish(reusable bool) {
	if reusable {
		c.t.put(c)
	} else {
		c.close()
	}
}

func newTransport(opts transportOptions) *transport {
	t := &transport{opts: opts, idle: make(map[poolKey][]*upConn)}
	t.h2 = newH2Pool(t)
	return t
}

// get returns an idle connection for key that still looks usable, or nil.
func (t *transport) get(key poolKey) *upConn {
	for {
		t.mu.Lock()
		list := t.idle[key]
		if len(list) == 0 {
			t.mu.Unlock()
			return nil
		}
		c := list[len(list)-1]
		list[len(list)-1] = nil
		t.idle[key] = list[:len(list)-1]
		t.nidle--
		t.mu.Unlock()
		expired := t.opts.idleTimeout > 0 && time.Since(c.idleAt) >= t.opts.idleTimeout
		if !expired && c.br.Buffered() == 0 && c.peek.alive() {
			c.reused = true
			return c
		}
		c.close()
	}
}

// dial opens an HTTP/1.1 connection to key's address (see dialConn).
func (t *transport) dial(ctx context.Context, key poolKey, tlsConfig *tls.Config, timeout time.Duration) (*upConn, error) {
	conn, err := dialConn(ctx, key, tlsConfig, timeout)
	if err != nil {
		return nil, err
	}
	c := &upConn{t: t, conn: conn, key: key, peek: newPeeker(conn, key.tls)}
	c.br = bufio.NewReaderSize(c, 4<<10)
	c.bw = bufio.NewWriterSize(c, 4<<10)
	return c, nil
}

// dialConn opens a connection to key's address, with the TLS handshake of
// tlsConfig when key asks for one, within timeout (nginx's
// proxy_connect_timeout covers both).
func dialConn(ctx context.Context, key poolKey, tlsConfig *tls.Config, timeout time.Duration) (net.Conn, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	var d net.Dialer
	tc, err := d.DialTCP(ctx, "tcp", netip.AddrPort{}, key.addr)
	if err != nil {
		return nil, err
	}
	if !key.tls {
		return tc, nil
	}
	tlsConn := tls.Client(tc, tlsConfig)
	if err := tlsConn.HandshakeContext(ctx); err != nil {
		tc.Close()
		return nil, err
	}
	return tlsConn, nil
}

// put returns a connection whose exchange ended cleanly to its pool, or
// closes it when keep-alive is off, the connection served its maximum of
// requests, or the pool is full (the oldest idle one goes).
func (t *transport) put(c *upConn) {
	if t.opts.poolSize <= 0 || t.opts.maxRequests > 0 && c.uses >= t.opts.maxRequests {
		c.close()
		return
	}
	c.readTimeout, c.writeTimeout, c.reused = 0, 0, false
	c.idleAt = time.Now()
	var evicted *upConn
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		c.close()
		return
	}
	list := t.idle[c.key]
	if len(list) >= t.opts.poolSize {
		evicted = list[0]
		copy(list, list[1:])
		list = list[:len(list)-1]
		t.nidle--
	}
	t.idle[c.key] = append(list, c)
	t.nidle++
	if t.sweep == nil && t.opts.idleTimeout > 0 {
		t.sweep = time.AfterFunc(t.opts.idleTimeout, t.sweepIdle)
	}
	t.mu.Unlock()
	if evicted != nil {
		evicted.close()
	}
}

// sweepIdle closes the connections idle for longer than the idle timeout;
// it runs while there are idle connections.
func (t *transport) sweepIdle() {
	var expired []*upConn
	now := time.Now()
	t.mu.Lock()
	for key, list := range t.idle {
		kept := list[:0]
		for _, c := range list {
			if now.Sub(c.idleAt) >= t.opts.idleTimeout {
				expired = append(expired, c)
			} else {
				kept = append(kept, c)
			}
		}
		clear(list[len(kept):])
		if len(kept) == 0 {
			delete(t.idle, key)
		} else {
			t.idle[key] = kept
		}
	}
	t.nidle -= len(expired)
	if t.nidle > 0 && !t.closed {
		t.sweep.Reset(t.opts.idleTimeout)
	} else {
		t.sweep = nil
	}
	t.mu.Unlock()
	for _, c := range expired {
		c.close()
	}
}

// close closes every idle connection; connections in use are closed when
// they come back.
func (t *transport) close() {
	t.h2.close()
	t.mu.Lock()
	t.closed = true
	idle := t.idle
	t.idle = make(map[poolKey][]*upConn)
	t.nidle = 0
	if t.sweep != nil {
		t.sweep.Stop()
		t.sweep = nil
	}
	t.mu.Unlock()
	for _, list := range idle {
		for _, c := range list {
			c.close()
		}
	}
}
