package proxy

import "net/http"

// What the log phase reports of a request besides its headers (Kong's
// kong.log.serialize: request_uri, upstream_uri, upstream_status, the
// nginx byte counts). They are computed when asked, in the log phase, so
// that requests without logging plugins pay nothing for them.

// URI returns the request target as the client sent it, path and query
// (nginx's $request_uri).
func (r *Request) URI() string { return r.requestURI() }

// URI returns the path and query sent upstream (Kong's upstream_uri as
// its log serializer completes it), "" before a service request was
// built.
func (r *ServiceRequest) URI() string {
	if r.path == "" || !r.hasQuery {
		return r.path
	}
	return r.path + "?" + r.rawQuery
}

// UpstreamStatus returns the status the upstream answered, 0 when no
// upstream answered (the request was not proxied, or every try failed).
func (s *State) UpstreamStatus() int { return s.upstreamStatus }

// RequestSize returns the bytes received for the request, as nginx's
// $request_length counts them: request line, header lines and the body
// bytes read. The HTTP engine parses the head itself, so the head is
// counted as HTTP/1.1 would send it.
func (s *State) RequestSize() int64 {
	rq := &s.request
	n := len(rq.method) + 1 + len(rq.rawPath) + len(" HTTP/1.1\r\n")
	if rq.hasQuery {
		n += 1 + len(rq.rawQuery)
	}
	if rq.rawHost != "" {
		n += len("Host: \r\n") + len(rq.rawHost)
	}
	n += headerBytes(rq.header) + len("\r\n")
	var body int64
	if b, ok := rq.bodySrc.(*requestBody); ok {
		body = b.n
	}
	return int64(n) + body
}

// ResponseSize returns the bytes sent to the client, as nginx's
// $bytes_sent counts them: status line, header lines (with the Date the
// server adds) and the body bytes written; 0 when no response started.
// What the HTTP engine adds besides Date (a sniffed Content-Type, chunked
// framing) is not counted.
func (s *State) ResponseSize() int64 {
	r := &s.response
	if r.status == 0 {
		return 0
	}
	n := len("HTTP/1.1 000 \r\n") + len(http.StatusText(r.status)) + len("\r\n")
	if r.header != nil {
		n += headerBytes(r.header)
		if r.header.Get("Date") == "" {
			n += len("Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n")
		}
	}
	return int64(n) + s.sent
}

// headerBytes is the size of h's lines as "Name: value\r\n".
func headerBytes(h HeaderReader) int {
	if h == nil {
		return 0
	}
	n := 0
	h.Each(func(name, value string) bool {
		n += len(name) + len(value) + len(": \r\n")
		return true
	})
	return n
}
