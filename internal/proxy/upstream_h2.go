package proxy

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// h2Pool keeps the HTTP/2 connections to gRPC services (nginx's grpc
// module), keyed as transport's pools: the address and, over TLS, the
// server name and verification settings. A connection carries many
// streams at once: a try takes a slot on the first pooled connection with
// one free, else dials one. The keep-alive settings apply per connection:
// upstream_keepalive_pool_size connections are kept per key,
// upstream_keepalive_max_requests streams go over one connection, and one
// without streams for upstream_keepalive_idle_timeout is closed.
//
// The connections are net/http's (Transport.NewClientConn): HTTP/2 with
// prior knowledge in cleartext, negotiated by ALPN over TLS. They are
// dialled by dialConn, so connect_timeout and the TLS settings apply as on
// the HTTP/1.1 path.
type h2Pool struct {
	t  *transport
	rt *http.Transport // makes client connections of what dialConn returns

	mu     sync.Mutex
	conns  map[poolKey][]*h2Conn
	sweep  *time.Timer
	closed bool
}

// h2Conn is a pooled HTTP/2 client connection.
type h2Conn struct {
	cc      *http.ClientConn
	uses    int          // streams started on it, under h2Pool.mu
	idleAt  atomic.Int64 // when its last stream ended, in Unix nanoseconds
	retired atomic.Bool  // out of the pool: closed once its streams end
}

// h2DialKey is the context key of the dial a new connection needs.
type h2DialKey struct{}

// h2Dial is what dialConn needs for one new connection.
type h2Dial struct {
	key     poolKey
	tls     *tls.Config
	timeout time.Duration
}

// errNotH2 is a TLS upstream that did not agree to HTTP/2 by ALPN.
var errNotH2 = errors.New("upstream did not negotiate HTTP/2 (ALPN h2)")

func newH2Pool(t *transport) *h2Pool {
	p := &h2Pool{t: t, conns: make(map[poolKey][]*h2Conn)}
	protocols := new(http.Protocols)
	protocols.SetHTTP2(true)
	protocols.SetUnencryptedHTTP2(true)
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		d := ctx.Value(h2DialKey{}).(*h2Dial)
		c, err := dialConn(ctx, d.key, d.tls, d.timeout)
		if err != nil {
			return nil, err
		}
		if tc, ok := c.(*tls.Conn); ok && tc.ConnectionState().NegotiatedProtocol != "h2" {
			c.Close()
			return nil, errNotH2
		}
		return c, nil
	}
	p.rt = &http.Transport{
		Protocols:          protocols,
		DialContext:        dial,
		DialTLSContext:     dial,
		DisableCompression: true, // no Accept-Encoding the client did not send
	}
	return p
}

// get takes a stream slot on a pooled connection for key, nil when none
// has one free.
func (p *h2Pool) get(key poolKey) *h2Conn {
	idleTimeout := p.t.opts.idleTimeout
	now := time.Now().UnixNano()
	p.mu.Lock()
	defer p.mu.Unlock()
	list := p.conns[key]
	for i := 0; i < len(list); {
		c := list[i]
		expired := idleTimeout > 0 && c.cc.InFlight() == 0 && now-c.idleAt.Load() >= int64(idleTimeout)
		if c.cc.Err() != nil || expired {
			list = p.remove(key, list, i)
			c.cc.Close()
			continue
		}
		if c.cc.Reserve() == nil {
			p.use(key, list, i)
			return c
		}
		i++
	}
	return nil
}

// dial opens a connection for key within timeout, takes a stream slot on
// it and pools it when the pool has room (else it serves this stream
// alone).
func (p *h2Pool) dial(ctx context.Context, key poolKey, tlsConfig *tls.Config, timeout time.Duration) (*h2Conn, error) {
	scheme := "http"
	if key.tls {
		scheme = "https"
	}
	ctx = context.WithValue(ctx, h2DialKey{}, &h2Dial{key: key, tls: tlsConfig, timeout: timeout})
	cc, err := p.rt.NewClientConn(ctx, scheme, key.addr.String())
	if err != nil {
		return nil, err
	}
	c := &h2Conn{cc: cc}
	c.idleAt.Store(time.Now().UnixNano())
	if err := cc.Reserve(); err != nil {
		cc.Close()
		return nil, err
	}
	cc.SetStateHook(c.stateChanged)
	p.mu.Lock()
	defer p.mu.Unlock()
	list := p.conns[key]
	if p.closed || len(list) >= p.t.opts.poolSize {
		c.retired.Store(true)
		return c, nil
	}
	list = append(list, c)
	p.conns[key] = list
	p.use(key, list, len(list)-1)
	if p.sweep == nil && p.t.opts.idleTimeout > 0 {
		p.sweep = time.AfterFunc(p.t.opts.idleTimeout, p.sweepIdle)
	}
	return c, nil
}

// use counts a stream on list[i] and retires the connection when it
// reached upstream_keepalive_max_requests. p.mu is held.
func (p *h2Pool) use(key poolKey, list []*h2Conn, i int) {
	c := list[i]
	c.uses++
	if max := p.t.opts.maxRequests; max > 0 && c.uses >= max {
		c.retired.Store(true)
		p.remove(key, list, i)
	}
}

// remove takes list[i] out of key's pool and returns the new list. p.mu
// is held.
func (p *h2Pool) remove(key poolKey, list []*h2Conn, i int) []*h2Conn {
	list = append(list[:i], list[i+1:]...)
	list[:len(list)+1][len(list)] = nil // the moved-out last slot
	if len(list) == 0 {
		delete(p.conns, key)
	} else {
		p.conns[key] = list
	}
	return list
}

// stateChanged is the connection's state hook: a retired connection
// closes once its last stream ended; a pooled one records when it
// became idle.
func (c *h2Conn) stateChanged(cc *http.ClientConn) {
	if cc.InFlight() > 0 {
		return
	}
	if c.retired.Load() {
		cc.Close()
		return
	}
	c.idleAt.Store(time.Now().UnixNano())
}

// sweepIdle closes the connections idle for longer than the idle timeout,
// and the broken ones; it runs while connections are pooled.
func (p *h2Pool) sweepIdle() {
	var gone []*h2Conn
	timeout := int64(p.t.opts.idleTimeout)
	now := time.Now().UnixNano()
	p.mu.Lock()
	for key, list := range p.conns {
		for i := 0; i < len(list); {
			c := list[i]
			if c.cc.Err() == nil && (c.cc.InFlight() > 0 || now-c.idleAt.Load() < timeout) {
				i++
				continue
			}
			gone = append(gone, c)
			list = p.remove(key, list, i)
		}
	}
	if len(p.conns) > 0 && !p.closed {
		p.sweep.Reset(p.t.opts.idleTimeout)
	} else {
		p.sweep = nil
	}
	p.mu.Unlock()
	for _, c := range gone {
		c.cc.Close()
	}
}

// close empties the pool: idle connections close now, the others when
// their streams end.
func (p *h2Pool) close() {
	p.mu.Lock()
	p.closed = true
	conns := p.conns
	p.conns = make(map[poolKey][]*h2Conn)
	if p.sweep != nil {
		p.sweep.Stop()
		p.sweep = nil
	}
	p.mu.Unlock()
	for _, list := range conns {
		for _, c := range list {
			c.retired.Store(true)
			c.stateChanged(c.cc)
		}
	}
}
