package proxy_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestMalformedRequests sends broken requests over raw TCP: each gets an
// error status (4xx, 505 for an unknown version) and the proxy keeps
// serving.
func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	up := newEcho(t, "up")
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})

	tests := []struct {
		name, raw string
	}{
		{"bad request line", "GARBAGE\r\n\r\n"},
		{"bad version", "GET / HTTP/9.9\r\nHost: x\r\n\r\n"},
		{"bad header line", "GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n"},
		{"space before colon", "GET / HTTP/1.1\r\nHost: x\r\nX-Bad : v\r\n\r\n"},
		{"no Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n"},
		{"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
		{"bad Host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"},
		{"huge header", "GET / HTTP/1.1\r\nHost: x\r\nX-Large: " + strings.Repeat("a", 2<<20) + "\r\n\r\n"},
		{"bad escape", "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"asterisk target", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"bad chunked body", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"},
		{"CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"},
		{"TRACE", "TRACE / HTTP/1.1\r\nHost: x\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := dialRaw(t, e)
			_, _ = conn.Write([]byte(tt.raw))
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no response: %v", err)
			}
			res.Body.Close()
			if res.StatusCode < 400 || res.StatusCode > 505 {
				t.Errorf("status %d, want a client error", res.StatusCode)
			}
		})
	}
	if res, _ := e.do(request{path: "/"}); res.StatusCode != 200 {
		t.Errorf("after malformed requests: %d", res.StatusCode)
	}
}

// TestUpstreamResponses has a raw upstream answer with each response:
// a broken head is a 502, what HTTP/1 allows reaches the client as sent.
func TestUpstreamResponses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw string
		status    int
		body      string
	}{
		{"folded header", "HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\nContent-Length: 0\r\n\r\n", 502, ""},
		{"space in a header name", "HTTP/1.1 200 OK\r\nX A: 1\r\nContent-Length: 0\r\n\r\n", 502, ""},
		{"bad status", "HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n", 502, ""},
		{"bad version", "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", 502, ""},
		{"conflicting lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 502, ""},
		{"unknown transfer coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nab", 502, ""},
		{"no head", "garbage", 502, ""},
		{"bare LF", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", 200, "ok"},
		{"repeated length", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", 200, "ok"},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nok\r\n1\r\n!\r\n0\r\nT: v\r\n\r\n", 200, "ok!"},
		{"to the end of the connection", "HTTP/1.1 200 OK\r\n\r\nuntil close", 200, "until close"},
		{"HTTP/1.0", "HTTP/1.0 200 OK\r\n\r\nold", 200, "old"},
		{"no reason", "HTTP/1.1 201\r\nContent-Length: 0\r\n\r\n", 201, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.route(e.service("http://"+rawUpstream(t, tt.raw), nil), map[string]any{"paths": []any{"/"}})
			res, body := e.do(request{path: "/"})
			if res.StatusCode != tt.status || tt.status < 500 && body != tt.body {
				t.Errorf("got %d %q, want %d %q", res.StatusCode, body, tt.status, tt.body)
			}
		})
	}
}

// rawUpstream answers each request on each connection with raw, then
// closes the connection.
func rawUpstream(t *testing.T, raw string) string {
	return tcpUpstream(t, func(c net.Conn) {
		if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
			_, _ = io.WriteString(c, raw)
		}
	})
}
