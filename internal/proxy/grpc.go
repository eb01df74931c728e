package proxy

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// isGRPC reports whether the service is reached over HTTP/2, as nginx's
// grpc module does for services of protocol grpc (cleartext, prior
// knowledge) and grpcs (TLS, ALPN h2).
func (r *ServiceRequest) isGRPC() bool { return r.scheme == "grpc" || r.scheme == "grpcs" }

// IsGRPC reports whether the request is a gRPC call: HTTP/2 with a
// Content-Type starting with application/grpc (Kong's is_grpc_request).
// The gateway's own responses to such requests carry their status in
// grpc-status and grpc-message.
func (r *Request) IsGRPC() bool {
	return r.version == "2" && strings.HasPrefix(r.header.Get("Content-Type"), "application/grpc")
}

// errUpstreamTimeout aborts a stream whose read or write timeout fired.
var errUpstreamTimeout = fmt.Errorf("upstream timed out: %w", os.ErrDeadlineExceeded)

// h2Stream is one try on an HTTP/2 connection: the stream of a gRPC call.
// nginx's grpc_read_timeout and grpc_send_timeout become the stream's own
// timers (the connection is shared): the response head must come within
// read_timeout of the request being sent in full, each read of the
// response body within read_timeout, and each piece of the request body
// must be taken by the connection within write_timeout. A timer that
// fires aborts the stream.
type h2Stream struct {
	conn   *h2Conn
	ctx    context.Context
	cancel context.CancelCauseFunc
	pipe   *io.PipeWriter // the streamed request body's way in, nil when none
	body   io.ReadCloser  // the response body, once the head came

	readTimeout, writeTimeout time.Duration
	readTimer, writeTimer     *time.Timer

	mu       sync.Mutex // hands the read timer from the body goroutine to the reader
	headDone bool       // the response head came, or the try failed
}

// noUserAgent keeps net/http from sending its own User-Agent when the
// client sent none (nginx adds none).
var noUserAgent = []string{""}

// tryH2 sends the service request to one peer over HTTP/2 and waits for
// the response head. Only a failure to connect may be retried on another
// peer: past that point the call (a POST) counts as sent.
func (p *Proxy) tryH2(ex *exchange, pr peer, host string) tryResult {
	s := &ex.State
	svc := s.service
	key := poolKey{addr: pr.addr, h2: true}
	if s.upstream.scheme == "grpcs" {
		tlsKey(&key, svc, s.snap.Upstreams[svc.Host], host)
	}
	c := p.transport.h2.get(key)
	if c == nil {
		var tlsConfig *tls.Config
		if key.tls {
			var err error
			if tlsConfig, err = p.transport.clientTLS(s.snap, key); err != nil {
				return tryResult{status: http.StatusInternalServerError, err: err}
			}
		}
		var err error
		if c, err = p.transport.h2.dial(ex.ctx, key, tlsConfig, millis(svc.ConnectTimeout)); err != nil {
			return tryResult{status: failureStatus(err), retry: true, err: err}
		}
	}
	st := &ex.h2
	st.start(ex.ctx, c, millis(svc.ReadTimeout), millis(svc.WriteTimeout))
	ex.conn = st
	req, err := p.h2Request(ex, st, host)
	if err != nil {
		c.cc.Release()
		return p.failed(ex, st, err)
	}
	resp, err := c.cc.RoundTrip(req)
	st.headReceived()
	if err != nil {
		return p.failed(ex, st, st.cause(err))
	}
	st.body, resp.Body = resp.Body, st
	return tryResult{resp: resp, conn: st}
}

// h2Request builds the request of a stream: the service request's method,
// path and query, host as :authority, and its headers minus those HTTP/2
// leaves out (Connection and the headers it lists, Keep-Alive,
// Transfer-Encoding, Upgrade; TE but "trailers"). A body not read yet is
// streamed through a pipe by the exchange's body goroutine.
func (p *Proxy) h2Request(ex *exchange, st *h2Stream, host string) (*http.Request, error) {
	s := &ex.State
	u := &s.upstream
	req, err := http.NewRequestWithContext(st.ctx, u.method, "", nil)
	if err != nil {
		return nil, err
	}
	req.URL.Scheme = "http"
	if u.scheme == "grpcs" {
		req.URL.Scheme = "https"
	}
	req.URL.Host, req.Host = host, host
	req.URL.Opaque = escapeTarget(u.path)
	req.URL.RawQuery, req.URL.ForceQuery = escapeTarget(u.rawQuery), u.hasQuery
	h := make(http.Header, len(u.header.fields)+1)
	userAgent := false
	for _, f := range u.header.fields {
		if !validField(f.Name, f.Value) || isFramingHeader(f.Name) || !h2Field(f.Name, f.Value) {
			continue
		}
		userAgent = userAgent || strings.EqualFold(f.Name, "User-Agent")
		h[f.Name] = append(h[f.Name], f.Value)
	}
	if !userAgent {
		h["User-Agent"] = noUserAgent
	}
	req.Header = h

	if body, ok := s.bodyToSend(); ok {
		if len(body) > 0 {
			req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}
		st.requestSent()
	} else if length := s.request.length; length == 0 {
		st.requestSent()
	} else {
		pr, pw := io.Pipe()
		st.pipe = pw
		req.Body, req.ContentLength = pr, length
		ex.startBody(&h2Body{st: st, cancel: st.cancel, pipe: pw}, length)
	}
	return req, nil
}

// h2Field reports whether a header field may go in an HTTP/2 request.
func h2Field(name, value string) bool {
	switch {
	case strings.EqualFold(name, "Connection"), strings.EqualFold(name, "Keep-Alive"),
		strings.EqualFold(name, "Proxy-Connection"), strings.EqualFold(name, "Upgrade"):
		return false
	case strings.EqualFold(name, "TE"):
		return value == "trailers"
	}
	return true
}

// copyTrailers passes the upstream's trailers (gRPC's grpc-status and
// grpc-message) to the client, as nginx's grpc module does.
func copyTrailers(dst, trailers http.Header) {
	for name, values := range trailers {
		dst[trailerKey(name)] = values
	}
}

// trailerKey is the response header key that sets trailer name.
func trailerKey(name string) string {
	switch name {
	case "Grpc-Status":
		return http.TrailerPrefix + "Grpc-Status"
	case "Grpc-Message":
		return http.TrailerPrefix + "Grpc-Message"
	case "Grpc-Status-Details-Bin":
		return http.TrailerPrefix + "Grpc-Status-Details-Bin"
	}
	return http.TrailerPrefix + name
}

// start prepares the stream of a try on c.
func (st *h2Stream) start(ctx context.Context, c *h2Conn, readTimeout, writeTimeout time.Duration) {
	*st = h2Stream{conn: c, readTimeout: readTimeout, writeTimeout: writeTimeout}
	st.ctx, st.cancel = context.WithCancelCause(ctx)
}

// arm starts or restarts the timer *t for d (none when d is 0): firing,
// it aborts the stream.
func (st *h2Stream) arm(t **time.Timer, d time.Duration) {
	switch {
	case d <= 0:
	case *t == nil:
		cancel := st.cancel // not st: the exchange is reused
		*t = time.AfterFunc(d, func() { cancel(errUpstreamTimeout) })
	default:
		(*t).Reset(d)
	}
}

func disarm(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}

// requestSent starts the wait for the response head, unless it came.
func (st *h2Stream) requestSent() {
	st.mu.Lock()
	if !st.headDone {
		st.arm(&st.readTimer, st.readTimeout)
	}
	st.mu.Unlock()
}

// headReceived ends the wait for the response head.
func (st *h2Stream) headReceived() {
	st.mu.Lock()
	st.headDone = true
	disarm(st.readTimer)
	st.mu.Unlock()
}

// cause returns the timeout behind err when a timer aborted the stream.
func (st *h2Stream) cause(err error) error {
	if context.Cause(st.ctx) == errUpstreamTimeout {
		return errUpstreamTimeout
	}
	return err
}

// Read reads the response body within the read timeout.
func (st *h2Stream) Read(p []byte) (int, error) {
	st.arm(&st.readTimer, st.readTimeout)
	n, err := st.body.Read(p)
	disarm(st.readTimer)
	if err != nil && err != io.EOF {
		err = st.cause(err)
	}
	return n, err
}

// Close does nothing: finish closes the response body.
func (st *h2Stream) Close() error { return nil }

// h2Body is the body goroutine's side of a stream whose request body is
// streamed: it writes into the request's pipe. Its abort outlives the
// try (the goroutine may call it after the exchange moved on); st is
// used only while writeBody runs, which the try waits for.
type h2Body struct {
	st     *h2Stream
	cancel context.CancelCauseFunc
	pipe   *io.PipeWriter
}

// writeBody streams the client's body into the request's pipe, each piece
// within the write timeout, then ends it and starts the wait for the
// response head.
func (b *h2Body) writeBody(body io.Reader, _ int64, buf []byte) error {
	st := b.st
	for {
		n, err := body.Read(buf)
		if n > 0 {
			st.arm(&st.writeTimer, st.writeTimeout)
			_, werr := b.pipe.Write(buf[:n])
			disarm(st.writeTimer)
			if werr != nil {
				return st.cause(werr)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	b.pipe.Close()
	st.requestSent()
	return nil
}

// abort resets the stream and fails the pipe.
func (b *h2Body) abort() {
	b.cancel(errBodyStopped)
	b.pipe.CloseWithError(errBodyStopped)
}

// abort resets the stream and fails the request body's pipe.
func (st *h2Stream) abort() {
	st.cancel(errBodyStopped)
	if st.pipe != nil {
		st.pipe.CloseWithError(errBodyStopped)
	}
}

// buffered is false: what the connection holds is the stream's to give,
// so every piece of body is flushed to the client at once.
func (st *h2Stream) buffered() bool { return false }

// finish ends the stream (its connection stays pooled): the response
// body is closed (resetting the stream if it did not end), the timers
// stopped and the context released.
func (st *h2Stream) finish(bool) {
	if st.cancel == nil {
		return
	}
	disarm(st.readTimer)
	disarm(st.writeTimer)
	if st.body != nil {
		st.body.Close()
	}
	st.cancel(nil)
	if st.pipe != nil {
		st.pipe.CloseWithError(errBodyStopped)
	}
	*st = h2Stream{}
}
