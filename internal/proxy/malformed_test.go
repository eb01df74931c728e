package proxy_test

import (
	"bufio"
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
