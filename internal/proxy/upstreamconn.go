package proxy

import "io"

// upstreamConn is the upstream side of one try as the runloop drives it:
// an HTTP/1.1 connection (*upConn) or a stream on a pooled HTTP/2
// connection (*h2Stream, for gRPC services).
type upstreamConn interface {
	// writeBody streams the client's body upstream: length bytes, or
	// until EOF when length is -1. The exchange's body goroutine runs it.
	writeBody(body io.Reader, length int64, buf []byte) error
	// abort ends the exchange at once, waking the body goroutine and the
	// reader of the response; the body goroutine may call it.
	abort()
	// buffered reports whether more of the response is at hand already,
	// so that the client need not be flushed before it is read.
	buffered() bool
	// finish gives the connection back once the exchange is over: pooled
	// when reusable, else closed (an HTTP/2 stream just ends).
	finish(reusable bool)
}
