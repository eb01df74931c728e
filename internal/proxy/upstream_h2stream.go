package proxy

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

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
	ctx    context.Context
	cancel context.CancelCauseFunc
	pipe   *io.PipeWriter // the streamed request body's way in, nil when none
	body   io.ReadCloser  // the response body, once the head came

	readTimeout, writeTimeout time.Duration
	readTimer, writeTimer     *time.Timer

	mu       sync.Mutex // hands the read timer from the body goroutine to the reader
	headDone bool       // the response head came, or the try failed
}

// start prepares the stream of a try.
func (st *h2Stream) start(ctx context.Context, readTimeout, writeTimeout time.Duration) {
	*st = h2Stream{readTimeout: readTimeout, writeTimeout: writeTimeout}
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
