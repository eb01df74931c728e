package proxy

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

// FuzzH1Request feeds the native engine's request parser arbitrary bytes:
// it never panics, and a request it accepts has a token method, a version
// 1.x and a body framing it can read.
func FuzzH1Request(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /a?b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;e\r\nhello\r\n0\r\nT: 1\r\n\r\n",
		"GET http://x/y HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		"CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n",
		"GET /%zz HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\ncontent-length: 1\r\n\r\nx",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c := &h1Conn{srv: &Server{MaxHeaderBytes: 4096}, br: bufio.NewReaderSize(strings.NewReader(raw), 4096),
			bw: bufio.NewWriter(io.Discard), header: map[string][]string{}, resHeader: map[string][]string{}}
		for range 4 { // a few pipelined requests
			if err := c.readHead(); err != nil {
				return
			}
			if err := c.parseHead(); err != nil {
				return
			}
			if !validMethod(c.in.method) || c.in.major != 1 || c.in.header["Host"] != nil {
				t.Fatalf("accepted %q: method %q, version %d, header %v", raw, c.in.method, c.in.major, c.in.header)
			}
			n, err := io.Copy(io.Discard, io.LimitReader(c.in.body, 1<<20))
			if err != nil {
				return
			}
			if c.in.length >= 0 && n != c.in.length {
				t.Fatalf("read %d body bytes of %d", n, c.in.length)
			}
		}
	})
}
