package proxy

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/silverback-gw/silverback/internal/runtime"
)

// exchange is one request: the State the runloop and plugins see, plus
// the engine's side of it (the request as read, the client's writer).
// Exchanges are pooled.
type exchange struct {
	State

	w   clientWriter
	in  inbound
	nh  netHTTPWriter // w for the net/http engine
	ctx context.Context

	body        requestBody
	sendLength  bool         // the client sent Content-Length: send it, even 0
	conn        upstreamConn // the current try's connection, until released
	bodyStarted bool         // the body went to a goroutine: it cannot be sent again
	bodyRunning bool         // that goroutine was not waited for yet
	bodyCut     bool         // the client's body was made unreadable
	bodyDone    chan error

	h2          h2Stream // the current try's HTTP/2 stream (gRPC services)
	wroteHeader bool     // response headers went to the client
	wroteBody   bool     // some of the response body too
	hijacked    bool
	abort       bool // the response broke off: abort the client connection
	errBody     []byte
}

// ServeHTTP proxies one request (the net/http engine). It never lets a
// panic escape: before the response started it becomes Kong's 500, after,
// the client connection is aborted.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ex := p.exchange()
	ex.nh.w = w
	fromNetHTTP(&ex.in, r)
	if p.serveExchange(ex, &ex.nh, start) {
		panic(http.ErrAbortHandler) // the server drops the connection quietly
	}
}

// exchange returns a pooled exchange.
func (p *Proxy) exchange() *exchange {
	ex, _ := p.states.Get().(*exchange)
	if ex == nil {
		ex = &exchange{bodyDone: make(chan error, 1)}
	}
	return ex
}

// serveExchange proxies the request in ex.in, answering through w, then
// puts ex back in the pool. It reports whether the response broke off:
// the engine must then drop the connection.
func (p *Proxy) serveExchange(ex *exchange, w clientWriter, start time.Time) (abort bool) {
	p.begin(ex, w, start)
	func() {
		defer p.recoverPanic(ex)
		p.run(ex)
	}()
	if c := ex.conn; c != nil { // left over by a panic
		ex.release(c, false)
	}
	abort = ex.abort
	ex.w, ex.ctx, ex.body.r, ex.nh.w = nil, nil, nil, nil
	ex.in = inbound{}
	ex.State.reset(nil, nil)
	p.states.Put(ex)
	return abort
}

// recoverPanic turns a panic in the request path into Kong's 500, or an
// aborted response when it already started.
func (p *Proxy) recoverPanic(ex *exchange) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		ex.abort = true
	} else {
		p.log.Error("panic while proxying", "request_id", ex.id, "panic", v, "stack", string(debug.Stack()))
	}
	if c := ex.conn; c != nil {
		ex.release(c, false)
	}
	if ex.wroteHeader || ex.hijacked || ex.abort {
		ex.abort = true
		return
	}
	defer func() {
		if recover() != nil {
			ex.abort = true
		}
	}()
	// A panic is what an uncaught Lua error in a plugin is to Kong: a
	// kong.response.error(500).
	clear(ex.w.Header())
	ex.Error(http.StatusInternalServerError, msgUnexpected)
	ex.unexpected = true
	p.respondExit(ex)
}

// write sends a piece of the response body.
func (ex *exchange) write(b []byte) error {
	ex.wroteBody = true
	n, err := ex.w.Write(b)
	ex.sent += int64(n)
	return err
}

// flushBeforeLog reports whether the response is flushed before the log
// phase. An HTTP/2 response without a body is not: sent when the handler
// returns, its headers go in one frame that ends the stream, as nginx
// sends a response of length 0 and as a gRPC trailers-only response must
// be.
func (ex *exchange) flushBeforeLog() bool {
	return ex.wroteHeader && !ex.hijacked && !ex.abort && (ex.wroteBody || ex.request.version != "2")
}

// begin fills the State from the request the engine read (ex.in).
func (p *Proxy) begin(ex *exchange, w clientWriter, start time.Time) {
	in := &ex.in
	ex.State.reset(p, p.snapshot())
	ex.id = newRequestID()
	ex.timings.start = start
	ex.w, ex.ctx = w, in.ctx
	ex.State.reqCtx = ex.ctx
	ex.wroteHeader, ex.wroteBody, ex.hijacked, ex.abort = false, false, false, false
	ex.conn, ex.bodyStarted, ex.bodyRunning, ex.bodyCut = nil, false, false, false

	rq := &ex.request
	rq.method = in.method
	rq.scheme = "http"
	if in.tls != nil {
		rq.scheme = "https"
		rq.sni = in.tls.ServerName
	}
	rq.version = "1.1"
	switch {
	case in.major == 2:
		rq.version = "2"
	case in.major == 1 && in.minor == 0:
		rq.version = "1.0"
	}
	rq.rawHost = in.host
	rq.host = nginxHost(in.host)
	rq.port = p.listenPort(in)
	rq.rawPath, rq.rawQuery, rq.hasQuery = splitRequestURI(in.target)
	rq.header = httpHeader(in.header)
	rq.length = in.length
	ex.sendLength = in.length > 0 || in.header["Content-Length"] != nil
	ex.body.r, ex.body.limit, ex.body.length, ex.body.n = in.body, p.opts.ClientMaxBodySize, in.length, 0
	ex.body.eof.Store(false)
	rq.bodySrc = &ex.body

	p.setClient(&ex.client, in.remoteAddr, in.header)
}

func (p *Proxy) snapshot() *runtime.Snapshot {
	if p.opts.Snapshots == nil {
		return nil
	}
	return p.opts.Snapshots.Load()
}

// setClient records the peer and the client address the realip rules give.
func (p *Proxy) setClient(c *Client, remoteAddr string, h http.Header) {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	c.peer, _ = netip.ParseAddrPort(remoteAddr)
	c.peerIP = host
	c.realIP, c.realIPStr = c.peer.Addr(), host
	c.trusted = p.trusted.contains(c.peer.Addr())
	if c.trusted && p.realIPHeader != "" {
		if a, ok := realIP(c.peer.Addr(), h[p.realIPHeader], p.trusted, p.opts.RealIPRecursive); ok {
			c.realIP, c.realIPStr = a, a.String()
		}
	}
}

// listenPort is the port the request came in on, mapped by port_maps.
func (p *Proxy) listenPort(in *inbound) int {
	port := 80
	if in.localPort != 0 {
		port = in.localPort
	} else if in.tls != nil {
		port = 443
	}
	if m, ok := p.opts.PortMaps[port]; ok {
		return m
	}
	return port
}

// nginxHost is nginx's $host for a Host value: lower-cased, without port
// or trailing dot; "kong" (Kong's server_name) when there is none.
func nginxHost(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i > 0 {
			h = h[:i+1]
		}
	} else if i := strings.LastIndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return "kong"
	}
	return strings.ToLower(h)
}

// splitRequestURI returns the raw path and query of the request target as
// the client sent it (an absolute-form target loses its scheme and host).
func splitRequestURI(uri string) (path, query string, hasQuery bool) {
	if uri == "" || uri[0] != '/' {
		if i := strings.Index(uri, "://"); i >= 0 {
			rest := uri[i+3:]
			if j := strings.IndexAny(rest, "/?"); j >= 0 {
				uri = rest[j:]
			} else {
				uri = "/"
			}
		}
	}
	path, query, hasQuery = strings.Cut(uri, "?")
	if path == "" && hasQuery {
		path = "/"
	}
	return path, query, hasQuery
}

// httpHeader adapts net/http's header map to HeaderMap; its names are in
// canonical form.
type httpHeader http.Header

func (h httpHeader) Get(name string) string               { return http.Header(h).Get(name) }
func (h httpHeader) Values(name string) []string          { return http.Header(h).Values(name) }
func (h httpHeader) Set(name, value string)               { http.Header(h).Set(name, value) }
func (h httpHeader) Add(name, value string)               { http.Header(h).Add(name, value) }
func (h httpHeader) Del(name string)                      { http.Header(h).Del(name) }
func (h httpHeader) setShared(name string, v sharedValue) { h[name] = v }
func (h httpHeader) Each(fn func(name, value string) bool) {
	for name, values := range h {
		for _, v := range values {
			if !fn(name, v) {
				return
			}
		}
	}
}

// requestBody reads the client's body for the upstream, enforcing
// client_max_body_size.
type requestBody struct {
	r      io.Reader
	limit  int64
	length int64 // declared length, -1 when unknown
	n      int64
	eof    atomic.Bool // the whole body was read
}

func (b *requestBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.limit > 0 && b.n > b.limit {
		return 0, errBodyTooLarge
	}
	switch {
	case err == io.EOF || b.length >= 0 && b.n >= b.length:
		b.eof.Store(true)
	case err != nil:
		err = errClientBody{err}
	}
	return n, err
}

// unfinishedBody reports whether the client's body will not be read in
// full: it is still being sent to an upstream that already answered, or
// its reading was cut.
func (ex *exchange) unfinishedBody() bool {
	return ex.bodyCut || ex.bodyRunning && !ex.body.eof.Load()
}

// bufPool holds the buffers bodies are copied through.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// errBodyStopped is returned by stopBody when it had to cut the body
// goroutine short by closing the connection.
var errBodyStopped = errors.New("request body not sent in full")

// startBody streams the request body to c in a goroutine. A failure is
// reported before c is aborted, which wakes the reader of the response.
func (ex *exchange) startBody(c bodyWriter, length int64) {
	ex.bodyStarted, ex.bodyRunning = true, true
	go func() {
		bp := bufPool.Get().(*[]byte)
		err := c.writeBody(&ex.body, length, *bp)
		bufPool.Put(bp)
		ex.bodyDone <- err
		if err != nil {
			c.abort()
		}
	}()
}

// stopBody waits for the body goroutine, if one runs, and returns its
// error. A goroutine still at work (the upstream answered or failed before
// taking the whole body) is stopped: c is aborted and, if it waits for the
// client, the client's body is made unreadable. That poisons an HTTP/1
// connection for later requests, so every response sent while the body
// was unfinished says Connection: close (see unfinishedBody).
func (ex *exchange) stopBody(c upstreamConn) error {
	if !ex.bodyRunning {
		return nil
	}
	select {
	case err := <-ex.bodyDone:
		ex.bodyRunning = false
		return err
	default:
	}
	c.abort()
	if !ex.body.eof.Load() {
		ex.bodyCut = true
		_ = ex.w.SetReadDeadline(time.Now())
	}
	err := <-ex.bodyDone
	ex.bodyRunning = false
	// A client read that failed on the deadline set here was cut by us,
	// not failed by the client: it must not turn the upstream's failure
	// into a 400.
	if err != nil && !(ex.bodyCut && errors.Is(err, os.ErrDeadlineExceeded)) {
		return err
	}
	return errBodyStopped
}
