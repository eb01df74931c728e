package proxy

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	lb "github.com/silverback-gw/silverback/internal/balancer"
)

// tryResult is the outcome of one try: a response head, or a failure.
type tryResult struct {
	resp *http.Response
	conn upstreamConn
	// status is the failure's status: 502, 504, or the status of a client
	// body failure (413, 400).
	status int
	// retry reports that nothing irrevocable happened: another peer may be
	// tried (Kong's proxy_next_upstream error timeout, never for a
	// non-idempotent request that was sent).
	retry bool
	err   error
}

// errBodyTooLarge is a request body beyond client_max_body_size.
var errBodyTooLarge = errors.New("request body too large")

// errClientBody is a failure reading the client's request body.
type errClientBody struct{ err error }

func (e errClientBody) Error() string { return "read request body: " + e.err.Error() }
func (e errClientBody) Unwrap() error { return e.err }

// try sends the service request to one peer and reads the response head.
// A pooled connection found closed before anything came back is replaced
// by a new one, once, when the request can be sent again.
func (p *Proxy) try(ex *exchange, pr lb.Peer, host string) tryResult {
	s := &ex.State
	if s.upstream.isGRPC() {
		return p.tryH2(ex, pr, host)
	}
	svc := s.service
	key := poolKey{addr: pr.Addr}
	if s.upstream.scheme == "https" {
		tlsKey(&key, svc, s.snap.Upstreams[svc.Host], host)
	}
	for fresh := false; ; fresh = true {
		var c *upConn
		if !fresh {
			c = p.transport.get(key)
		}
		if c == nil {
			var tlsConfig *tls.Config
			if key.tls {
				var err error
				if tlsConfig, err = p.transport.clientTLS(s.snap, key); err != nil {
					return tryResult{status: http.StatusInternalServerError, err: err}
				}
			}
			var err error
			c, err = p.transport.dial(ex.ctx, key, tlsConfig, millis(svc.ConnectTimeout))
			if err != nil {
				return tryResult{status: failureStatus(err), retry: true, err: err}
			}
		}
		c.uses++
		c.readTimeout, c.writeTimeout = millis(svc.ReadTimeout), millis(svc.WriteTimeout)
		res := p.send(ex, c, host)
		if res.err != nil && c.reused && !ex.bodyStarted && c.nread == 0 && !isTimeout(res.err) {
			c.close()
			continue
		}
		return res
	}
}

// send writes the request on c and reads the response head. The body, if
// any, is streamed by a goroutine so that an upstream answering before it
// has read the whole body is heard.
func (p *Proxy) send(ex *exchange, c *upConn, host string) tryResult {
	s := &ex.State
	c.nread = 0
	ex.conn = c
	if body, ok := s.bodyToSend(); ok {
		writeHead(c.bw, &s.upstream, host, int64(len(body)), true)
		c.bw.Write(body)
		if err := c.bw.Flush(); err != nil {
			return p.failed(ex, c, err)
		}
	} else if length := s.request.length; length == 0 {
		writeHead(c.bw, &s.upstream, host, 0, ex.sendLength)
		if err := c.bw.Flush(); err != nil {
			return p.failed(ex, c, err)
		}
	} else {
		writeHead(c.bw, &s.upstream, host, length, ex.sendLength)
		ex.startBody(c, length)
	}
	for {
		resp, err := c.readResponse(s.upstream.method)
		if err != nil {
			return p.failed(ex, c, err)
		}
		// 1xx informational responses are not passed on (nginx skips them);
		// 101 ends the exchange as an upgrade.
		if resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			continue
		}
		return tryResult{resp: resp, conn: c}
	}
}

// failed closes c after a failed exchange and classifies the failure. A
// failure of the client's body wins over the upstream's; a timeout on
// either side of the connection (reading, or the body goroutine writing)
// makes it a 504.
func (p *Proxy) failed(ex *exchange, c upstreamConn, err error) tryResult {
	ex.conn = nil
	c.abort()
	werr := ex.stopBody(c)
	c.finish(false)
	var ce errClientBody
	switch {
	case errors.Is(werr, errBodyTooLarge):
		return tryResult{status: http.StatusRequestEntityTooLarge, err: werr}
	case errors.As(werr, &ce):
		return tryResult{status: http.StatusBadRequest, err: werr}
	case isTimeout(werr):
		err = werr
	}
	return tryResult{
		status: failureStatus(err),
		retry:  !ex.bodyStarted && idempotent(ex.State.upstream.method),
		err:    err,
	}
}

// idempotent reports whether nginx may send a request again after it was
// sent: every method but POST, LOCK and PATCH.
func idempotent(method string) bool {
	return method != "POST" && method != "LOCK" && method != "PATCH"
}

// failureStatus maps a transport error to Kong's status: a timeout
// (connect, write or read) is 504, anything else 502.
func failureStatus(err error) int {
	if isTimeout(err) {
		return http.StatusGatewayTimeout
	}
	return http.StatusBadGateway
}

func isTimeout(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

func millis(ms int) time.Duration { return time.Duration(ms) * time.Millisecond }

// serverName is the TLS server name for a Host header value, without port
// or brackets (nginx's proxy_ssl_name $upstream_host). crypto/tls sends no
// SNI for an IP address, as nginx, but verifies it against the
// certificate's IP addresses.
func serverName(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
}

// writeHead writes the request line and headers. length is the body
// length: 0 for none (Content-Length: 0 only when the client sent it),
// -1 for a streamed body sent chunked. Control characters and spaces in
// the path and query are percent-encoded and invalid header fields left
// out, so that nothing a plugin sets can split the request.
func writeHead(w *bufio.Writer, r *ServiceRequest, host string, length int64, sendZero bool) {
	w.WriteString(r.method)
	w.WriteByte(' ')
	writeTarget(w, r.path)
	if r.hasQuery {
		w.WriteByte('?')
		writeTarget(w, r.rawQuery)
	}
	w.WriteString(" HTTP/1.1\r\nHost: ")
	w.WriteString(host)
	w.WriteString("\r\n")
	for _, f := range r.header.fields {
		if !validField(f.Name, f.Value) || isFramingHeader(f.Name) {
			continue
		}
		w.WriteString(f.Name)
		w.WriteString(": ")
		w.WriteString(f.Value)
		w.WriteString("\r\n")
	}
	switch {
	case length < 0:
		w.WriteString("Transfer-Encoding: chunked\r\n")
	case length > 0 || sendZero:
		w.WriteString("Content-Length: ")
		writeInt(w, length, 10)
		w.WriteString("\r\n")
	}
	w.WriteString("\r\n")
}

// writeTarget writes part of a request target, percent-encoding the bytes
// that may not appear in one (controls, space, DEL).
func writeTarget(w *bufio.Writer, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; notInTarget(c) {
			w.WriteString(s[start:i])
			w.Write([]byte{'%', upperHex[c>>4], upperHex[c&15]})
			start = i + 1
		}
	}
	w.WriteString(s[start:])
}

// escapeTarget is writeTarget's encoding as a string; s itself when it
// needs none.
func escapeTarget(s string) string {
	i := 0
	for i < len(s) && !notInTarget(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for _, c := range []byte(s) {
		if notInTarget(c) {
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

const upperHex = "0123456789ABCDEF"

// notInTarget reports the bytes a request target cannot carry as is.
func notInTarget(c byte) bool { return c <= ' ' || c == 0x7f }

// isFramingHeader reports the headers the writer owns.
func isFramingHeader(name string) bool {
	return strings.EqualFold(name, "Host") || strings.EqualFold(name, "Content-Length") ||
		strings.EqualFold(name, "Transfer-Encoding")
}

// writeBody streams the client's body to the upstream: exactly length
// bytes, or chunked when length is -1, flushing each piece as it comes.
func writeBody(w *bufio.Writer, body io.Reader, length int64, buf []byte) error {
	for {
		want := buf
		if length > 0 && int64(len(want)) > length {
			want = want[:length]
		}
		n, err := body.Read(want)
		if n > 0 {
			if length > 0 {
				length -= int64(n)
				_, _ = w.Write(want[:n])
			} else {
				writeChunk(w, want[:n])
			}
			if ferr := w.Flush(); ferr != nil {
				return ferr
			}
		}
		switch {
		case length == 0:
			return nil
		case err == io.EOF && length < 0:
			w.WriteString("0\r\n\r\n")
			return w.Flush()
		case err == io.EOF:
			return errClientBody{io.ErrUnexpectedEOF}
		case err != nil:
			return err
		}
	}
}

func writeChunk(w *bufio.Writer, p []byte) {
	writeInt(w, int64(len(p)), 16)
	w.WriteString("\r\n")
	w.Write(p)
	w.WriteString("\r\n")
}
