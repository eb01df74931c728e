package proxy

import "io"

// upstreamConn is the upstream side of one try as the runloop drives it:
// an HTTP/1.1 connection (*upConn) or a stream on a pooled HTTP/2
// connection (*h2Stream, for gRPC services).
type upstreamConn interface {
	// abort ends the exchange at once, waking the body goroutine and the
	// reader of the response.
	abort()
	// buffered reports whether more of the response is at hand already,
	// so that the client need not be flushed before it is read.
	buffered() bool
	// finish gives the connection back once the exchange is over: pooled
	// when reusable, else closed (an HTTP/2 stream just ends).
	finish(reusable bool)
}

// bodyWriter is what the exchange's body goroutine streams the client's
// body to (see startBody): an *upConn, or an *h2Body feeding a stream.
type bodyWriter interface {
	// writeBody streams the client's body upstream: length bytes, or
	// until EOF when length is -1.
	writeBody(body io.Reader, length int64, buf []byte) error
	// abort ends the exchange at once. The body goroutine calls it after
	// a failure, once it reported the failure: by then the try may be
	// over.
	abort()
}

var (
	_ upstreamConn = (*upConn)(nil)
	_ upstreamConn = (*h2Stream)(nil)
	_ bodyWriter   = (*upConn)(nil)
	_ bodyWriter   = (*h2Body)(nil)
)
