package stream

import (
	"crypto/tls"
	"errors"
	"io"
	"math"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// copyBufferSize is the size of the buffers pipes copy through.
const copyBufferSize = 32 << 10

var copyBuffers = sync.Pool{New: func() any { return new([copyBufferSize]byte) }}

// idleTimer closes a session that moved no data for its timeout, in
// either direction (nginx's proxy_timeout: one timer for the session,
// reset by every read). touch costs an atomic store; the timer wakes up
// once per timeout.
type idleTimer struct {
	timeout time.Duration
	last    atomic.Int64 // unix nanoseconds of the last read
	timer   *time.Timer
	stopped atomic.Bool
	expired atomic.Bool
}

// newIdleTimer calls onIdle once the session has been idle for timeout;
// 0 never does.
func newIdleTimer(timeout time.Duration, onIdle func()) *idleTimer {
	t := &idleTimer{timeout: timeout}
	if timeout <= 0 {
		return t
	}
	t.touch()
	// Armed once t.timer is set, so that the function may use it.
	t.timer = time.AfterFunc(time.Duration(math.MaxInt64), func() {
		if t.stopped.Load() {
			return
		}
		idle := time.Since(time.Unix(0, t.last.Load()))
		if idle < t.timeout {
			t.timer.Reset(t.timeout - idle)
			return
		}
		t.expired.Store(true)
		onIdle()
	})
	t.timer.Reset(timeout)
	return t
}

func (t *idleTimer) touch() {
	if t.timeout > 0 {
		t.last.Store(time.Now().UnixNano())
	}
}

func (t *idleTimer) stop() {
	t.stopped.Store(true)
	if t.timer != nil {
		t.timer.Stop()
	}
}

// pipeResult is what a session moved, and how it ended.
type pipeResult struct {
	fromClient, toClient int64
	timedOut             bool
}

// pipe copies client to upstream and back until the session ends, then
// closes both. As nginx's stream proxy with proxy_half_close off (Kong's
// setting), the session ends when either side reaches end of stream, once
// what was read from it is written to the other side; with halfClose, an
// end of stream is passed on by shutting the other side's writing down,
// and the session ends when both directions did. An error on either side,
// or no data for timeout (0: no limit), ends it too.
func pipe(client, upstream net.Conn, timeout time.Duration, halfClose bool) pipeResult {
	closeBoth := sync.OnceFunc(func() {
		client.Close()
		upstream.Close()
	})
	idle := newIdleTimer(timeout, closeBoth)
	var res pipeResult
	done := make(chan struct{})
	go func() {
		defer close(done)
		res.fromClient = copyHalf(upstream, client, idle, halfClose, closeBoth)
	}()
	res.toClient = copyHalf(client, upstream, idle, halfClose, closeBoth)
	<-done
	idle.stop()
	closeBoth()
	res.timedOut = idle.expired.Load()
	return res
}

// copyHalf copies src to dst until src ends. A clean end of stream is
// passed on with closeWrite when half-closing, else (or after an error)
// the whole session is closed.
func copyHalf(dst, src net.Conn, idle *idleTimer, halfClose bool, closeBoth func()) int64 {
	buf := copyBuffers.Get().(*[copyBufferSize]byte)
	defer copyBuffers.Put(buf)
	var total int64
	for {
		n, err := src.Read(buf[:])
		if n > 0 {
			idle.touch()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				closeBoth()
				return total
			}
			total += int64(n)
		}
		if err != nil {
			if halfClose && errors.Is(err, io.EOF) && closeWrite(dst) == nil {
				return total
			}
			closeBoth()
			return total
		}
	}
}

// closeWriter is a connection whose writing side can be shut down alone.
type closeWriter interface {
	CloseWrite() error
}

// closeWrite shuts c's writing side down: a TLS close_notify then the TCP
// FIN for a TLS connection, the FIN for TCP.
func closeWrite(c net.Conn) error {
	if tc, ok := c.(*tls.Conn); ok {
		if err := tc.CloseWrite(); err != nil {
			return err
		}
		c = tc.NetConn()
	}
	if cw, ok := c.(closeWriter); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}
