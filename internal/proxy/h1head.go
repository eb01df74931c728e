package proxy

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
)

// headReader reads the head of an HTTP/1 message, its start line and
// header lines up to the empty line, and canonicalizes its field names.
// A client connection has one for its requests and an upstream connection
// one for its responses; the buffers are reused for every message.
type headReader struct {
	head    []byte // the head as read
	lines   []int  // where each of its lines ends
	nameBuf [64]byte
}

// errHeadTooLarge is a head beyond the limit readLines was given.
var errHeadTooLarge = errors.New("message head too large")

// readLines reads a head of at most limit bytes into h.head; h.lines gets
// the end of each line. The first line is the start line even when empty.
// io.EOF means nothing was read, io.ErrUnexpectedEOF a head cut short.
func (h *headReader) readLines(br *bufio.Reader, limit int) error {
	h.head, h.lines = h.head[:0], h.lines[:0]
	start := 0
	for {
		line, err := br.ReadSlice('\n')
		if len(h.head)+len(line) > limit {
			return errHeadTooLarge
		}
		h.head = append(h.head, line...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && len(h.head) > 0 {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		h.lines = append(h.lines, len(h.head))
		if len(h.lines) > 1 && (len(h.head)-start == 1 || len(h.head)-start == 2 && h.head[start] == '\r') {
			return nil
		}
		start = len(h.head)
	}
}

// headError is a message head the proxy refuses, and why.
type headError struct {
	reason string
	text   string
}

func (e *headError) Error() string { return e.reason + ": " + strconv.Quote(e.text) }

// parseFields parses the header lines of head (h.head as a string) into
// header, appending the values to vals, whose slices of one value the
// header's fields take; it returns vals. A folded line (obs-fold) is
// refused, as nginx does; so are a name that is not a token and a value
// with control characters other than tab.
func (h *headReader) parseFields(head string, header http.Header, vals []string) ([]string, error) {
	prev := h.lines[0]
	for _, end := range h.lines[1 : len(h.lines)-1] {
		raw := head[prev:end]
		prev = end
		if raw[0] == ' ' || raw[0] == '\t' {
			return vals, &headError{"folded header line", trimEOL(raw)}
		}
		kv := trimOWS(trimEOL(raw))
		colon := strings.IndexByte(kv, ':')
		if colon <= 0 {
			return vals, &headError{"malformed header line", kv}
		}
		name, ok := h.canonicalName(kv[:colon])
		if !ok {
			return vals, &headError{"malformed header name", kv[:colon]}
		}
		v := strings.TrimLeft(kv[colon+1:], " \t")
		if !validFieldValue(v) {
			return vals, &headError{"malformed header value", kv}
		}
		if vv, ok := header[name]; ok {
			header[name] = append(vv, v)
			continue
		}
		vals = append(vals, v)
		n := len(vals)
		header[name] = vals[n-1 : n : n]
	}
	return vals, nil
}

// canonicalName returns the canonical form of a header name (as
// textproto's), false when it is not a token. A name already canonical is
// returned as is (a slice of the head); common ones are interned.
func (h *headReader) canonicalName(s string) (string, bool) {
	canonical := true
	upper := true
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !isTokenByte(b) {
			return "", false
		}
		if upper && 'a' <= b && b <= 'z' || !upper && 'A' <= b && b <= 'Z' {
			canonical = false
		}
		upper = b == '-'
	}
	if canonical {
		return s, true
	}
	if len(s) > len(h.nameBuf) {
		return textproto.CanonicalMIMEHeaderKey(s), true
	}
	buf := h.nameBuf[:len(s)]
	upper = true
	for i := 0; i < len(s); i++ {
		b := s[i]
		if upper && 'a' <= b && b <= 'z' {
			b -= 'a' - 'A'
		} else if !upper && 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		buf[i] = b
		upper = b == '-'
	}
	if name, ok := commonHeaders[string(buf)]; ok {
		return name, true
	}
	return string(buf), true
}

// commonHeaders interns the names most requests and responses carry.
var commonHeaders = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{
		"Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language", "Authorization",
		"Cache-Control", "Connection", "Content-Encoding", "Content-Length", "Content-Type",
		"Cookie", "Expect", "Forwarded", "Host", "If-Match", "If-Modified-Since", "If-None-Match",
		"Keep-Alive", "Origin", "Pragma", "Proxy-Authorization", "Range", "Referer", "Te",
		"Trailer", "Transfer-Encoding", "Upgrade", "User-Agent", "Via", "X-Forwarded-For",
		"X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Proto", "X-Real-Ip", "X-Request-Id",
		"Apikey", "Sec-Websocket-Key", "Sec-Websocket-Version", "Sec-Websocket-Protocol",
		"Sec-Websocket-Extensions", "Grpc-Timeout", "Content-Md5",
		// responses
		"Accept-Ranges", "Access-Control-Allow-Origin", "Age", "Content-Disposition",
		"Content-Language", "Date", "Etag", "Expires", "Last-Modified", "Location", "Server",
		"Set-Cookie", "Strict-Transport-Security", "Vary", "Www-Authenticate",
		"X-Content-Type-Options", "X-Powered-By", "Sec-Websocket-Accept",
	} {
		m[n] = n
	}
	return m
}()
