package proxy

import (
	"bufio"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The response side of h1Conn: it implements clientWriter with
// net/http's observable rules. A body up to bufferBeforeChunking bytes
// written without a Flush is held back: if the handler ends first, the
// response gets a Content-Length (and a sniffed Content-Type when it has
// none); otherwise an HTTP/1.1 response without Content-Length is
// chunked and an HTTP/1.0 one ends with the connection.

const bufferBeforeChunking = 2048 // net/http's bufferBeforeChunkingSize

// resetResponse prepares the response state for a request.
func (c *h1Conn) resetResponse() {
	clear(c.resHeader)
	c.status, c.committed, c.chunked, c.hasTrailers = 0, false, false, false
	c.resLength, c.written = -1, 0
	c.pending = c.pending[:0]
}

// Header returns the response header.
func (c *h1Conn) Header() http.Header { return c.resHeader }

// WriteHeader records the status; the head is sent with the body's first
// bytes or at Flush. A 1xx other than 101 is sent at once.
func (c *h1Conn) WriteHeader(status int) {
	if c.status != 0 || c.hijacked {
		return
	}
	if status >= 100 && status <= 199 && status != http.StatusSwitchingProtocols {
		c.writeStatusLine(status)
		c.writeInterimFields(c.resHeader)
		c.bw.WriteString("\r\n")
		_ = c.bw.Flush()
		return
	}
	c.status = status
	if cl := c.resHeader["Content-Length"]; len(cl) > 0 && cl[0] != "" {
		if n, err := strconv.ParseInt(cl[0], 10, 64); err == nil && n >= 0 {
			c.resLength = n
		} else {
			delete(c.resHeader, "Content-Length")
		}
	}
	for k := range c.resHeader {
		if k == "Trailer" || strings.HasPrefix(k, http.TrailerPrefix) {
			c.hasTrailers = true
		}
	}
}

// Write sends a piece of the body.
func (c *h1Conn) Write(p []byte) (int, error) {
	if c.hijacked {
		return 0, http.ErrHijacked
	}
	if c.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(c.status) {
		return 0, http.ErrBodyNotAllowed
	}
	c.written += int64(len(p))
	if c.resLength >= 0 && c.written > c.resLength {
		return 0, http.ErrContentLength
	}
	if !c.committed {
		if len(c.pending)+len(p) <= bufferBeforeChunking {
			c.pending = append(c.pending, p...)
			return len(p), nil
		}
		sniff := c.pending
		if len(sniff) == 0 {
			sniff = p
		}
		c.commit(sniff, false)
		if err := c.writeBody(c.pending); err != nil {
			return 0, err
		}
		c.pending = c.pending[:0]
	}
	if err := c.writeBody(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush sends the head and what was written.
func (c *h1Conn) Flush() {
	if c.hijacked {
		return
	}
	c.commitPending(false)
	_ = c.bw.Flush()
}

// commitPending sends the head, with a 200 when none was set, and the
// body written so far, unless the head went already. final tells commit
// that nothing more will be written (it may then set Content-Length).
func (c *h1Conn) commitPending(final bool) {
	if c.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	if !c.committed {
		c.commit(c.pending, final)
		_ = c.writeBody(c.pending)
		c.pending = c.pending[:0]
	}
}

func (c *h1Conn) canHijack() bool { return true }

// Hijack hands the connection over with its buffers. The server no
// longer tracks it: Shutdown does not wait for a tunnel, as net/http's.
func (c *h1Conn) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if c.hijacked {
		return nil, nil, http.ErrHijacked
	}
	c.hijacked = true
	c.untrack()
	return c.rwc, bufio.NewReadWriter(c.br, c.bw), nil
}

// SetReadDeadline bounds the reads of the request body.
func (c *h1Conn) SetReadDeadline(t time.Time) error { return c.rwc.SetReadDeadline(t) }

// writeBody frames p on the connection.
func (c *h1Conn) writeBody(p []byte) error {
	if len(p) == 0 || c.in.method == http.MethodHead {
		return nil
	}
	if c.chunked {
		writeInt(c.bw, int64(len(p)), 16)
		c.bw.WriteString("\r\n")
		c.bw.Write(p)
		_, err := c.bw.WriteString("\r\n")
		return err
	}
	_, err := c.bw.Write(p)
	return err
}

// finishResponse ends the response after the handler returned.
func (c *h1Conn) finishResponse() error {
	c.commitPending(true)
	if c.chunked {
		c.bw.WriteString("0\r\n")
		c.writeTrailers()
		c.bw.WriteString("\r\n")
	}
	if c.in.method != http.MethodHead && c.resLength >= 0 && bodyAllowed(c.status) && c.written != c.resLength {
		c.closeAfter = true // a short body: the client must see the end
	}
	return c.bw.Flush()
}

// writeTrailers sends the trailers: keys with http.TrailerPrefix and the
// fields the Trailer header declared.
func (c *h1Conn) writeTrailers() {
	if !c.hasTrailers {
		return
	}
	h := c.resHeader
	for k, vv := range h {
		if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok {
			c.writeField(http.CanonicalHeaderKey(name), vv)
		}
	}
	for _, v := range h["Trailer"] {
		for name := range strings.SplitSeq(v, ",") {
			name = http.CanonicalHeaderKey(strings.TrimSpace(name))
			if vv, ok := h[name]; ok && name != "" {
				c.writeField(name, vv)
			}
		}
	}
}

// commit writes the response head. sniff is the body's start, final
// whether the handler ended (the whole body is known then).
func (c *h1Conn) commit(sniff []byte, final bool) {
	c.wmu.Lock() // the body goroutine may be sending 100 Continue
	defer c.wmu.Unlock()
	c.committed = true
	h := c.resHeader
	status := c.status
	isHEAD := c.in.method == http.MethodHead
	allowed := bodyAllowed(status)
	_, hasTE := h["Transfer-Encoding"]
	if final && !c.hasTrailers && !hasTE && allowed && c.resLength < 0 && (!isHEAD || len(sniff) > 0) {
		c.resLength = int64(len(sniff))
	}
	// net/http's keep-alive rules (chunkWriter.writeHeader).
	if c.keepAlive10 && len(h["Content-Length"]) > 0 && h["Content-Length"][0] != "" && headerIs(h, "Connection", "keep-alive") {
		c.closeAfter = false
	}
	keepAlive10 := c.keepAlive10 && (isHEAD || c.resLength >= 0 || !allowed)
	if !keepAlive10 && (c.in.minor == 0 || c.wantsClose) {
		c.closeAfter = true
	}
	if headerIs(h, "Connection", "close") {
		c.closeAfter = true
	}
	// Unless the runloop said close (its body goroutine may still read),
	// the body is ours: a body not asked for with 100 Continue closes the
	// connection, another is drained.
	if !c.closeAfter && c.expect100 && !c.body.done() {
		c.closeAfter = true
	}
	if !c.closeAfter && c.in.length != 0 && !c.body.done() && !c.drainBody() {
		c.closeAfter = true
	}
	var contentType string
	if allowed {
		if _, ok := h["Content-Type"]; !ok && !hasTE && len(sniff) > 0 && len(h["Content-Encoding"]) == 0 {
			contentType = http.DetectContentType(sniff)
		}
	}
	switch {
	case isHEAD || !allowed:
	case c.resLength >= 0:
	case c.in.minor >= 1:
		c.chunked = true
	default:
		c.closeAfter = true
	}

	c.writeStatusLine(status)
	c.sortBuf = c.sortBuf[:0]
	for k := range h {
		c.sortBuf = append(c.sortBuf, k)
	}
	slices.Sort(c.sortBuf)
	for _, k := range c.sortBuf {
		switch k {
		case "Transfer-Encoding", "Content-Length":
			continue
		case "Content-Type":
			if status == http.StatusNotModified {
				continue
			}
		case "Connection":
			if c.closeAfter && !hasToken(strings.Join(h[k], ","), "close") && !isUpgrade(status, h) {
				continue
			}
		}
		if strings.HasPrefix(k, http.TrailerPrefix) {
			continue
		}
		c.writeField(k, h[k])
	}
	if contentType != "" {
		c.bw.WriteString("Content-Type: ")
		c.bw.WriteString(contentType)
		c.bw.WriteString("\r\n")
	}
	if keepAlive10 {
		if _, ok := h["Connection"]; !ok {
			c.bw.WriteString("Connection: keep-alive\r\n")
		}
	}
	if c.closeAfter && c.in.minor >= 1 && !hasToken(strings.Join(h["Connection"], ","), "close") && !isUpgrade(status, h) {
		c.bw.WriteString("Connection: close\r\n")
	}
	if c.resLength >= 0 && allowed && !c.chunked {
		if _, ok := h["Content-Length"]; ok || final {
			c.bw.WriteString("Content-Length: ")
			writeInt(c.bw, c.resLength, 10)
			c.bw.WriteString("\r\n")
		}
	}
	if _, ok := h["Date"]; !ok {
		writeDate(c.bw)
	}
	if c.chunked {
		c.bw.WriteString("Transfer-Encoding: chunked\r\n")
	}
	c.bw.WriteString("\r\n")
}

func (c *h1Conn) writeStatusLine(status int) {
	if c.in.minor >= 1 {
		c.bw.WriteString("HTTP/1.1 ")
	} else {
		c.bw.WriteString("HTTP/1.0 ")
	}
	writeInt(c.bw, int64(status), 10)
	c.bw.WriteByte(' ')
	if text := http.StatusText(status); text != "" {
		c.bw.WriteString(text)
	} else {
		c.bw.WriteString("status code ")
		writeInt(c.bw, int64(status), 10)
	}
	c.bw.WriteString("\r\n")
}

// writeInterimFields writes the fields of a 1xx response: h without the
// body's.
func (c *h1Conn) writeInterimFields(h http.Header) {
	for k, vv := range h {
		if k == "Content-Length" || k == "Transfer-Encoding" || k == "Content-Type" {
			continue
		}
		c.writeField(k, vv)
	}
}

// writeField writes one header field per value, as net/http's
// Header.Write: an invalid name is skipped, CR and LF in a value become
// spaces, leading and trailing space is trimmed.
func (c *h1Conn) writeField(name string, values []string) {
	if !validFieldName(name) {
		return
	}
	for _, v := range values {
		c.bw.WriteString(name)
		c.bw.WriteString(": ")
		v = trimOWS(v)
		if strings.ContainsAny(v, "\r\n") {
			for i := 0; i < len(v); i++ {
				if b := v[i]; b == '\r' || b == '\n' {
					c.bw.WriteByte(' ')
				} else {
					c.bw.WriteByte(b)
				}
			}
		} else {
			c.bw.WriteString(v)
		}
		c.bw.WriteString("\r\n")
	}
}

// bodyAllowed reports whether a response with status may have a body.
func bodyAllowed(status int) bool {
	return !(status >= 100 && status <= 199 || status == http.StatusNoContent || status == http.StatusNotModified)
}

// isUpgrade reports whether the response switches protocols: its
// Connection header is the upgrade's and stays.
func isUpgrade(status int, h http.Header) bool {
	return status == http.StatusSwitchingProtocols && len(h["Upgrade"]) > 0
}

func headerIs(h http.Header, name, value string) bool {
	v := h[name]
	return len(v) > 0 && v[0] == value
}

// maxDrain is how much of an unread request body is read and dropped to
// keep the connection (net/http's maxPostHandlerReadBytes).
const maxDrain = 256 << 10

// drainBody reads the rest of the request body, up to maxDrain, and
// reports whether it ended.
func (c *h1Conn) drainBody() bool {
	var buf [4096]byte
	for n := 0; n <= maxDrain; {
		m, err := c.body.Read(buf[:])
		n += m
		if err != nil {
			return c.body.done()
		}
	}
	return false
}

// writeDate writes the Date header line net/http and nginx add to every
// response.
func writeDate(w *bufio.Writer) {
	w.WriteString("Date: ")
	w.Write(time.Now().UTC().AppendFormat(w.AvailableBuffer(), http.TimeFormat))
	w.WriteString("\r\n")
}

// writeInt writes v in the base given. It formats into w's free buffer
// (bufio's AvailableBuffer idiom): a local array handed to w.Write would
// escape, one allocation per call.
func writeInt(w *bufio.Writer, v int64, base int) {
	w.Write(strconv.AppendInt(w.AvailableBuffer(), v, base))
}
