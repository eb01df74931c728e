package proxy

import (
	"bufio"
	"errors"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// FuzzUpstreamResponse reads the same upstream bytes with readResponse
// and with http.ReadResponse: what both accept, they read alike (status,
// version, Close, length, header, announced trailers, body), and what
// only readResponse refuses is one of its documented differences.
func FuzzUpstreamResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n5;e=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
		"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\nHTTP/1.1 200 OK\r\n\r\nrest",
		"HTTP/1.1 200 OK\r\ncontent-length: 3\r\nContent-Length: 3\r\nPragma: no-cache\r\nConnection: close\r\n\r\nabc",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\nX: a\n\n",
		"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n",
		"HTTP/1.0 200\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	} {
		f.Add(s, false)
	}
	f.Add("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n", true)
	f.Fuzz(func(t *testing.T, raw string, head bool) {
		method := http.MethodGet
		if head {
			method = http.MethodHead
		}
		c := &upConn{br: bufio.NewReaderSize(strings.NewReader(raw), 4096)}
		std := bufio.NewReaderSize(strings.NewReader(raw), 4096)
		for range 3 { // a few responses on one connection
			got, err := c.readResponse(method)
			want, stdErr := http.ReadResponse(std, &http.Request{Method: method})
			if err != nil {
				if stdErr == nil {
					checkDeliberate(t, raw, err)
				}
				return
			}
			if stdErr != nil {
				t.Fatalf("%q: accepted what net/http refuses (%v)", raw, stdErr)
			}
			compareResponses(t, raw, got, want)
			body, err := io.ReadAll(io.LimitReader(got.Body, 1<<20))
			stdBody, stdErr := io.ReadAll(io.LimitReader(want.Body, 1<<20))
			if string(body) != string(stdBody) {
				t.Fatalf("%q: body %q, net/http %q", raw, body, stdBody)
			}
			if err != nil || stdErr != nil {
				if (err == nil) != (stdErr == nil) {
					t.Fatalf("%q: body error %v, net/http %v", raw, err, stdErr)
				}
				return
			}
			if got.Close {
				return
			}
		}
	})
}

// compareResponses fails t unless got reads as want, ignoring what
// readResponse does differently on purpose.
func compareResponses(t *testing.T, raw string, got, want *http.Response) {
	t.Helper()
	header := got.Header.Clone()
	if _, ok := want.Header["Connection"]; !ok {
		header.Del("Connection") // net/http drops a Connection: close
	}
	wantHeader := want.Header.Clone()
	if _, ok := header["Cache-Control"]; !ok {
		wantHeader.Del("Cache-Control") // net/http's Pragma: no-cache fix-up
	}
	if len(header) == 0 && len(wantHeader) == 0 {
		header, wantHeader = nil, nil
	}
	g := []any{got.Status, got.StatusCode, got.Proto, got.ProtoMajor, got.ProtoMinor, got.Close, got.ContentLength, header, trailerKeys(got.Trailer)}
	w := []any{want.Status, want.StatusCode, want.Proto, want.ProtoMajor, want.ProtoMinor, want.Close, want.ContentLength, wantHeader, trailerKeys(want.Trailer)}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%q:\n got %v\nwant %v", raw, g, w)
	}
}

func trailerKeys(h http.Header) []string { return slices.Sorted(maps.Keys(h)) }

// checkDeliberate fails t unless err is one of the refusals
// readResponse's doc comment lists.
func checkDeliberate(t *testing.T, raw string, err error) {
	t.Helper()
	var re *headError
	if !errors.As(err, &re) {
		t.Fatalf("%q: refused (%v), net/http accepts it", raw, err)
	}
	switch re.reason {
	case "folded header line", "malformed HTTP version":
		return
	case "malformed header name":
		if strings.ContainsAny(re.text, " \t") {
			return
		}
	case "malformed HTTP status code":
		if len(re.text) != 3 || re.text < "100" || re.text > "999" {
			return
		}
	}
	t.Fatalf("%q: refused (%v), net/http accepts it", raw, err)
}

// TestUpstreamResponseDifferences pins what readResponse does unlike
// http.ReadResponse: the 502 cases a proxy should refuse, and the header
// it leaves as the upstream sent it.
func TestUpstreamResponseDifferences(t *testing.T) {
	for _, tc := range []struct {
		raw    string
		reason string // the refusal, or "" when read
		header http.Header
	}{
		{raw: "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", reason: "folded header line"},
		{raw: "HTTP/1.1 200 OK\r\nX Y: a\r\n\r\n", reason: "malformed header name"},
		{raw: "HTTP/2.0 200 OK\r\n\r\n", reason: "malformed HTTP version"},
		{raw: "HTTP/1.1 099 Odd\r\n\r\n", reason: "malformed HTTP status code"},
		{raw: "HTTP/1.1 +20 Odd\r\n\r\n", reason: "malformed HTTP status code"},
		{raw: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", reason: "conflicting Content-Length"},
		{raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", reason: "unsupported transfer encoding"},
		{
			raw:    "HTTP/1.1 200 OK\r\nPragma: no-cache\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
			header: http.Header{"Pragma": {"no-cache"}, "Connection": {"close"}, "Content-Length": {"0"}},
		},
	} {
		c := &upConn{br: bufio.NewReader(strings.NewReader(tc.raw))}
		resp, err := c.readResponse(http.MethodGet)
		var re *headError
		switch {
		case tc.reason != "" && (!errors.As(err, &re) || re.reason != tc.reason):
			t.Errorf("%q: error %v, want %s", tc.raw, err, tc.reason)
		case tc.reason == "" && err != nil:
			t.Errorf("%q: %v", tc.raw, err)
		case tc.reason == "" && !reflect.DeepEqual(resp.Header, tc.header):
			t.Errorf("%q: header %v, want %v", tc.raw, resp.Header, tc.header)
		}
	}
}
