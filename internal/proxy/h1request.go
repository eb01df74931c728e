package proxy

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// h1Error is a request the native engine refuses before the handler: it
// is answered as net/http answers it (text/plain, Connection: close),
// with the reason in the status line when text is set.
type h1Error struct {
	status int
	text   string
}

func (e *h1Error) Error() string { return strconv.Itoa(e.status) + " " + e.text }

var (
	errH1Bad      = &h1Error{status: http.StatusBadRequest}
	errH1TooLarge = &h1Error{status: http.StatusRequestHeaderFieldsTooLarge}
	errH1TE       = &h1Error{status: http.StatusNotImplemented}
	errH1Version  = &h1Error{http.StatusHTTPVersionNotSupported, "unsupported protocol version"}
	errH1NoHost   = &h1Error{http.StatusBadRequest, "missing required Host header"}
	errH1BadHost  = &h1Error{http.StatusBadRequest, "malformed Host header"}
	errH1Expect   = &h1Error{status: http.StatusExpectationFailed}
)

// readHead reads a request head into c.head and c.lines (see
// headReader.readLines). io.EOF means the client closed between requests.
func (c *h1Conn) readHead() error {
	if c.lastPOST {
		// RFC 9112 tolerance for old clients: a CRLF after a POST body.
		peek, _ := c.br.Peek(4)
		n := 0
		for n < len(peek) && (peek[n] == '\r' || peek[n] == '\n') {
			n++
		}
		_, _ = c.br.Discard(n)
	}
	err := c.readLines(c.br, c.srv.maxHeaderBytes()+4096) // net/http's read limit
	if err == errHeadTooLarge {
		return errH1TooLarge
	}
	return err
}

// parseHead parses the head readHead read into c.in, as net/http's
// server does, and stricter where nginx is (see h1Conn).
func (c *h1Conn) parseHead() error {
	head := string(c.head) // one string for the whole head, sliced below
	in := &c.in
	clear(c.header)
	*in = inbound{ctx: c.ctx, header: c.header, tls: c.tls, remoteAddr: c.remoteAddr, localPort: c.localPort}
	c.expect100, c.wroteContinue, c.wantsClose, c.keepAlive10 = false, false, false, false

	line := trimEOL(head[:c.lines[0]])
	method, rest, ok1 := strings.Cut(line, " ")
	target, proto, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 {
		return errH1Bad
	}
	major, minor, ok := http.ParseHTTPVersion(proto)
	if !ok || !validMethod(method) {
		return errH1Bad
	}
	in.method, in.target, in.major, in.minor = method, target, major, minor
	in.lineLen = len(method) + len(target) + len(proto)
	if err := c.parseTarget(); err != nil {
		return err
	}

	h := c.header
	var err error
	if c.vals, err = c.parseFields(head, h, c.vals[:0]); err != nil {
		return errH1Bad
	}
	hosts := h["Host"]
	if len(hosts) > 1 {
		return errH1Bad
	}
	if err := c.framing(); err != nil {
		return err
	}
	if major != 1 {
		return errH1Version
	}
	if in.host == "" && len(hosts) == 1 {
		in.host = hosts[0]
	}
	if major == 1 && minor >= 1 && len(hosts) == 0 && method != "CONNECT" {
		return errH1NoHost
	}
	if len(hosts) == 1 && !validHost(hosts[0]) {
		return errH1BadHost
	}
	delete(h, "Host")

	conn := h["Connection"]
	if minor == 0 {
		c.keepAlive10 = len(conn) > 0 && hasToken(conn[0], "keep-alive")
		c.wantsClose = !valuesHaveToken(conn, "keep-alive") ||
			valuesHaveToken(conn, "close")
	} else {
		c.wantsClose = valuesHaveToken(conn, "close")
	}
	if e := h["Expect"]; len(e) > 0 && e[0] != "" {
		if !hasToken(e[0], "100-continue") {
			return errH1Expect
		}
		c.expect100 = minor >= 1 && in.length != 0
	}
	c.lastPOST = method == http.MethodPost
	return nil
}

// parseTarget checks the request target as url.ParseRequestURI does and
// takes the host of an absolute-form target; an origin-form target of
// plain characters needs no URL.
func (c *h1Conn) parseTarget() error {
	in := &c.in
	t := in.target
	if len(t) > 0 && t[0] == '/' && plainPath(t) {
		return nil
	}
	raw := t
	if in.method == "CONNECT" && !strings.HasPrefix(t, "/") {
		raw = "http://" + t
	}
	u, err := url.ParseRequestURI(raw)
	if err != nil {
		return errH1Bad
	}
	in.host = u.Host
	return nil
}

// plainPath reports whether an origin-form target has no control
// characters and only well-formed percent escapes before its query.
func plainPath(t string) bool {
	path := true
	for i := 0; i < len(t); i++ {
		switch b := t[i]; {
		case b < ' ' || b == 0x7f:
			return false
		case b == '?':
			path = false
		case b == '%' && path:
			if i+2 >= len(t) || !isHex(t[i+1]) || !isHex(t[i+2]) {
				return false
			}
		}
	}
	return true
}

func isHex(b byte) bool {
	return '0' <= b && b <= '9' || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F'
}

// framing reads the body's framing off the headers. net/http's rules,
// with nginx's stricter ones: Transfer-Encoding must be exactly chunked
// (else 501), is refused with HTTP/1.0 and next to Content-Length; one
// Content-Length of digits only.
func (c *h1Conn) framing() error {
	in, h := &c.in, c.header
	te, hasTE := h["Transfer-Encoding"]
	cl, hasCL := h["Content-Length"]
	if hasTE {
		if in.minor == 0 || hasCL {
			return errH1Bad
		}
		if len(te) != 1 || !strings.EqualFold(te[0], "chunked") {
			return errH1TE
		}
		delete(h, "Transfer-Encoding")
		in.length = -1
		c.body.reset(c, true, 0)
		in.body = &c.body
		return nil
	}
	in.length = 0
	if hasCL {
		if len(cl) != 1 {
			return errH1Bad
		}
		n, ok := parseLength(cl[0])
		if !ok {
			return errH1Bad
		}
		in.length = n
	}
	c.body.reset(c, false, in.length)
	in.body = &c.body
	return nil
}

// parseLength parses a Content-Length: digits only, within int64.
func parseLength(v string) (int64, bool) {
	if v == "" || len(v) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(v[i]-'0')
	}
	return n, true
}

// validMethod reports whether m is a token.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		if !isTokenByte(m[i]) {
			return false
		}
	}
	return true
}

// trimEOL drops a line's LF and the CR before it.
func trimEOL(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r")
}

// trimOWS drops leading and trailing spaces and tabs.
func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
