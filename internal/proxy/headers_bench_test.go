package proxy

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkHeaders measures the header work of one proxied request on
// the way upstream: a browser-like set of client headers filtered by the
// hop-by-hop rules, Kong's X-Forwarded-*, X-Real-IP, Via and Connection
// added (setUpstreamHeaders), and the request head written (writeHead).
func BenchmarkHeaders(b *testing.B) {
	p := New(DefaultOptions(nil))
	defer p.Close()
	client := http.Header{
		"Accept":          {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
		"Accept-Encoding": {"gzip, deflate, br"},
		"Accept-Language": {"en-GB,en;q=0.5"},
		"Connection":      {"keep-alive"},
		"Cookie":          {"session=0123456789abcdef; theme=dark"},
		"Keep-Alive":      {"timeout=5"},
		"User-Agent":      {"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"},
		"X-Forwarded-For": {"203.0.113.7"},
	}
	var s State
	request := func(w *bufio.Writer) {
		s.reset(p, nil)
		s.id = "0123456789abcdef0123456789abcdef"
		s.request.method, s.request.version, s.request.header = "GET", "1.1", httpHeader(client)
		s.request.forwarded = forwarded{scheme: "http", host: "example.com", port: "8000", path: "/plain"}
		s.client.peerIP, s.client.realIPStr = "127.0.0.1", "127.0.0.1"
		s.upstream.method, s.upstream.path = "GET", "/plain"
		p.setUpstreamHeaders(&s)
		writeHead(w, &s.upstream, "127.0.0.1:18080", 0, false)
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	var head bytes.Buffer
	request(bufio.NewWriter(&head))
	for _, want := range []string{"GET /plain HTTP/1.1\r\nHost: 127.0.0.1:18080\r\n", "\r\nX-Forwarded-For: 203.0.113.7, 127.0.0.1\r\n", "\r\nConnection: keep-alive\r\n"} {
		if !strings.Contains(head.String(), want) {
			b.Fatalf("upstream head lacks %q:\n%s", want, head.String())
		}
	}
	if strings.Contains(head.String(), "Keep-Alive") {
		b.Fatalf("upstream head keeps the hop-by-hop Keep-Alive:\n%s", head.String())
	}
	w := bufio.NewWriterSize(io.Discard, 4096)
	b.ReportAllocs()
	for b.Loop() {
		request(w)
	}
}
