package proxy

import (
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxResponseHead bounds an upstream response head. net/http sets no
// bound; nginx refuses a head beyond its proxy buffer, which is smaller.
const maxResponseHead = 1 << 20

// responseReader reads the responses of an upstream connection with
// http.ReadResponse's rules but without its allocations: the head buffer,
// the header map, the body reader and the http.Response are the
// connection's, reused for every response. What may outlive the exchange
// is fresh for each response: the header's strings, slices of one string
// of the head, and the slices holding them, which the client's response
// header shares.
type responseReader struct {
	headReader
	resp   http.Response
	header http.Header
	body   h1Body
}

// readResponse reads a response head off c and prepares its body for a
// request with the given method. It follows http.ReadResponse (framing,
// Close, the trailers a chunked body announces) except where nginx is
// stricter or passes more through:
//   - a folded header line (obs-fold) or a field name with a space is
//     refused, as a proxy may (RFC 9112, section 5.2);
//   - the version is HTTP/1.x and the status three digits from 100;
//   - Pragma: no-cache adds no Cache-Control, and a Connection: close
//     stays in the header (copyResponseHeader drops it).
//
// The response and its header belong to c: they are valid until c is
// released (the next readResponse may overwrite them).
func (c *upConn) readResponse(method string) (*http.Response, error) {
	r := &c.res
	if err := r.readLines(c.br, maxResponseHead); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if r.header == nil {
		r.header = make(http.Header)
	}
	clear(r.header)
	resp := &r.resp
	*resp = http.Response{Header: r.header, Body: http.NoBody}

	head := string(r.head) // one string for the whole head, sliced below
	if err := r.parseStatusLine(resp, trimEOL(head[:r.lines[0]])); err != nil {
		return nil, err
	}
	// The values of one response share one backing array; the client's
	// response header keeps them.
	if _, err := r.parseFields(head, r.header, make([]string, 0, len(r.lines)-2)); err != nil {
		return nil, err
	}
	if err := r.framing(c, method); err != nil {
		return nil, err
	}
	return resp, nil
}

// parseStatusLine parses "HTTP/1.x NNN reason".
func (r *responseReader) parseStatusLine(resp *http.Response, line string) error {
	proto, status, _ := strings.Cut(line, " ")
	major, minor, ok := http.ParseHTTPVersion(proto)
	if !ok || major != 1 {
		return &headError{"malformed HTTP version", proto}
	}
	status = strings.TrimLeft(status, " ")
	code, _, _ := strings.Cut(status, " ")
	if len(code) != 3 || code[0] < '1' || code[0] > '9' || !isDigit(code[1]) || !isDigit(code[2]) {
		return &headError{"malformed HTTP status code", code}
	}
	resp.Status = status
	resp.StatusCode = int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0')
	resp.Proto, resp.ProtoMajor, resp.ProtoMinor = proto, major, minor
	return nil
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// framing decides how the body ends and whether the connection can be
// reused afterwards, as net/http's readTransfer does for a response.
func (r *responseReader) framing(c *upConn, method string) error {
	resp, h := &r.resp, r.header
	conn := h["Connection"]
	resp.Close = valuesHaveToken(conn, "close") ||
		resp.ProtoMinor == 0 && !valuesHaveToken(conn, "keep-alive")

	chunked := false
	if te, ok := h["Transfer-Encoding"]; ok {
		delete(h, "Transfer-Encoding")
		if resp.ProtoMinor >= 1 { // ignored in HTTP/1.0, as net/http does
			if len(te) != 1 || !strings.EqualFold(te[0], "chunked") {
				return &headError{"unsupported transfer encoding", strings.Join(te, ", ")}
			}
			delete(h, "Content-Length") // Transfer-Encoding overrides it
			chunked = true
		}
	}
	length := int64(-1)
	if cl := h["Content-Length"]; len(cl) > 0 {
		for _, v := range cl[1:] {
			if v != cl[0] {
				return &headError{"conflicting Content-Length", strings.Join(cl, ", ")}
			}
		}
		h["Content-Length"] = cl[:1]
		n, err := strconv.ParseUint(cl[0], 10, 63)
		if err != nil {
			return &headError{"bad Content-Length", cl[0]}
		}
		length = int64(n)
	}

	resp.ContentLength = length // a HEAD response tells the length it would have
	noBody := method == http.MethodHead || !bodyAllowed(resp.StatusCode)
	if noBody && method != http.MethodHead {
		resp.ContentLength = 0
	}
	if chunked {
		if err := r.announcedTrailers(); err != nil {
			return err
		}
	}
	switch {
	case noBody || length == 0:
		return nil
	case chunked:
		r.body = h1Body{br: c.br, chunked: true}
	case length > 0:
		r.body = h1Body{br: c.br, n: length}
	default: // no framing: the body ends with the connection
		resp.Close = true
		r.body = h1Body{br: c.br, toEOF: true}
	}
	resp.Body = &r.body
	return nil
}

// announcedTrailers moves a chunked response's Trailer header into
// resp.Trailer's keys, as net/http does.
func (r *responseReader) announcedTrailers() error {
	vv, ok := r.header["Trailer"]
	if !ok {
		return nil
	}
	delete(r.header, "Trailer")
	var bad string
	trailer := http.Header{}
	for _, v := range vv {
		eachToken(v, func(key string) {
			key = http.CanonicalHeaderKey(key)
			switch key {
			case "Transfer-Encoding", "Trailer", "Content-Length":
				bad = key
			}
			trailer[key] = nil
		})
	}
	if bad != "" {
		return &headError{"bad trailer key", bad}
	}
	if len(trailer) > 0 {
		r.resp.Trailer = trailer
	}
	return nil
}
