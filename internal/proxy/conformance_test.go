package proxy_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// upRecorder is an upstream that records what reached it, one line per
// request ("METHOD /path body"), and answers "ok".
type upRecorder struct {
	mu   sync.Mutex
	seen []string
}

func newUpRecorder(t *testing.T) (*upRecorder, string) {
	rec := &upRecorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return // an aborted request is not one that reached the upstream
		}
		rec.mu.Lock()
		rec.seen = append(rec.seen, strings.TrimSpace(r.Method+" "+r.URL.Path+" "+string(b)))
		rec.mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return rec, srv.URL
}

func (r *upRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.seen
	r.seen = nil
	return s
}

// exchangeRaw writes raw on a new connection and reads the responses
// until the connection ends (or stays silent for a moment). It returns
// their statuses, the last response's headers and whether the proxy
// closed the connection.
func exchangeRaw(t *testing.T, addr, raw, method string) (statuses []int, last http.Header, closed bool) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go func() { _, _ = io.WriteString(conn, raw) }()
	br := bufio.NewReader(conn)
	for range 10 {
		_ = conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		res, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			var ne net.Error
			timeout := errorsAs(err, &ne) && ne.Timeout()
			return statuses, last, !timeout
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		statuses = append(statuses, res.StatusCode)
		last = res.Header
	}
	return statuses, last, false
}

func errorsAs(err error, ne *net.Error) bool {
	e, ok := err.(net.Error)
	if ok {
		*ne = e
	}
	return ok
}

// TestConformance sends raw requests, well-formed, malformed and
// smuggling attempts, to both engines: each case gives the statuses the
// client gets and the requests that reach the upstream. Where the native
// engine is stricter than net/http (as nginx is), the case says so with a
// native answer of its own.
func TestConformance(t *testing.T) {
	if testEngine != engines[0] {
		t.Skip("runs on both engines by itself")
	}
	const host = "Host: x\r\n"
	tests := []struct {
		name     string
		raw      string
		method   string   // of the requests, for reading HEAD responses
		status   []int    // statuses on both engines
		native   []int    // on the native engine when it differs
		mayReset bool     // the proxy answers while the client still writes: the answer may be lost to a reset
		upstream []string // what reached the upstream (both engines)
		nativeUp []string // on the native engine when it differs
	}{
		{name: "plain GET", raw: "GET /a HTTP/1.1\r\n" + host + "\r\n", status: []int{200}, upstream: []string{"GET /a"}},
		{name: "pipelined", raw: "GET /a HTTP/1.1\r\n" + host + "\r\nGET /b HTTP/1.1\r\n" + host + "\r\n",
			status: []int{200, 200}, upstream: []string{"GET /a", "GET /b"}},
		{name: "body then pipelined request", raw: "POST /a HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\n" + host + "\r\n",
			status: []int{200, 200}, upstream: []string{"POST /a hello", "GET /b"}},
		{name: "chunked body with trailer", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\nGET /b HTTP/1.1\r\n" + host + "\r\n",
			status: []int{200, 200}, upstream: []string{"POST /a hello", "GET /b"}},
		{name: "Transfer-Encoding case-insensitive", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: Chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
			status: []int{200}, upstream: []string{"POST /a hi"}},
		{name: "HEAD", raw: "HEAD /a HTTP/1.1\r\n" + host + "\r\n", method: "HEAD", status: []int{200}, upstream: []string{"HEAD /a"}},
		{name: "HTTP/1.0 without Host", raw: "GET /a HTTP/1.0\r\n\r\n", status: []int{200}, upstream: []string{"GET /a"}},
		{name: "absolute-form target", raw: "GET http://x/a?q HTTP/1.1\r\n" + host + "\r\n", status: []int{200}, upstream: []string{"GET /a"}},

		// smuggling
		{name: "Content-Length and Transfer-Encoding", raw: "POST /a HTTP/1.1\r\n" + host + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n" + host + "\r\n",
			status: []int{200, 200}, upstream: []string{"POST /a", "GET /smuggled"}, native: []int{400}, nativeUp: []string{}},
		{name: "two different Content-Lengths", raw: "POST /a HTTP/1.1\r\n" + host + "Content-Length: 3\r\nContent-Length: 5\r\n\r\nhello",
			status: []int{400}},
		{name: "two equal Content-Lengths", raw: "POST /a HTTP/1.1\r\n" + host + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
			status: []int{200}, upstream: []string{"POST /a hello"}, native: []int{400}, nativeUp: []string{}},
		{name: "Content-Length with sign", raw: "POST /a HTTP/1.1\r\n" + host + "Content-Length: +5\r\n\r\nhello", status: []int{400}},
		{name: "negative Content-Length", raw: "POST /a HTTP/1.1\r\n" + host + "Content-Length: -1\r\n\r\n", status: []int{400}},
		{name: "Content-Length not a number", raw: "POST /a HTTP/1.1\r\n" + host + "Content-Length: 5x\r\n\r\nhello", status: []int{400}},
		{name: "Content-Length overflow", raw: "POST /a HTTP/1.1\r\n" + host + "Content-Length: 99999999999999999999\r\n\r\n", status: []int{400}},
		{name: "Transfer-Encoding gzip, chunked", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", status: []int{501}},
		{name: "Transfer-Encoding twice", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: []int{501}},
		{name: "Transfer-Encoding identity", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: identity\r\n\r\n", status: []int{501}},
		{name: "Transfer-Encoding on HTTP/1.0", raw: "POST /a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
			status: []int{200}, upstream: []string{"POST /a"}, native: []int{400}, nativeUp: []string{}},
		{name: "chunk size overflow", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\nhello\r\n0\r\n\r\n", status: []int{400}},
		{name: "chunk size not hex", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", status: []int{400}},
		{name: "bare LF after chunk size", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", status: []int{400}},
		{name: "bare LF after chunk data", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n", status: []int{400}},
		{name: "chunk shorter than its size", raw: "POST /a HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n", status: []int{400}},

		// malformed heads
		{name: "bad request line", raw: "GARBAGE\r\n\r\n", status: []int{400}},
		{name: "two spaces in request line", raw: "GET  /a HTTP/1.1\r\n" + host + "\r\n", status: []int{400}},
		{name: "bad version", raw: "GET /a HTTP/1.x\r\n" + host + "\r\n", status: []int{400}},
		{name: "unsupported version", raw: "GET /a HTTP/9.9\r\n" + host + "\r\n", status: []int{505}},
		{name: "method not a token", raw: "G(T /a HTTP/1.1\r\n" + host + "\r\n", status: []int{400}},
		{name: "header without colon", raw: "GET /a HTTP/1.1\r\n" + host + "Nocolon\r\n\r\n", status: []int{400}},
		{name: "space before colon", raw: "GET /a HTTP/1.1\r\n" + host + "X-A : 1\r\n\r\n", status: []int{400}},
		{name: "invalid name character", raw: "GET /a HTTP/1.1\r\n" + host + "X(A): 1\r\n\r\n", status: []int{400}},
		{name: "empty header name", raw: "GET /a HTTP/1.1\r\n" + host + ": 1\r\n\r\n", status: []int{400}},
		{name: "bare CR in value", raw: "GET /a HTTP/1.1\r\n" + host + "X-A: 1\r2\r\n\r\n", status: []int{400}},
		{name: "NUL in value", raw: "GET /a HTTP/1.1\r\n" + host + "X-A: 1\x002\r\n\r\n", status: []int{400}},
		{name: "first header line folded", raw: "GET /a HTTP/1.1\r\n X-A: 1\r\n" + host + "\r\n", status: []int{400}},
		{name: "obs-fold", raw: "GET /a HTTP/1.1\r\n" + host + "X-A: 1\r\n 2\r\n\r\n",
			status: []int{200}, upstream: []string{"GET /a"}, native: []int{400}, nativeUp: []string{}},
		{name: "no Host in HTTP/1.1", raw: "GET /a HTTP/1.1\r\n\r\n", status: []int{400}},
		{name: "two Hosts", raw: "GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: []int{400}},
		{name: "bad Host", raw: "GET /a HTTP/1.1\r\nHost: a b\r\n\r\n", status: []int{400}},
		{name: "bad escape", raw: "GET /%zz HTTP/1.1\r\n" + host + "\r\n", status: []int{400}},
		{name: "control character in target", raw: "GET /a\x01 HTTP/1.1\r\n" + host + "\r\n", status: []int{400}},
		{name: "header block too large", raw: "GET /a HTTP/1.1\r\n" + host + "X-A: " + strings.Repeat("a", 1<<20+4096) + "\r\n\r\n", status: []int{431}, mayReset: true},
		{name: "header line over nginx's buffer", raw: "GET /a HTTP/1.1\r\n" + host + "X-A: " + strings.Repeat("a", 9000) + "\r\n\r\n", status: []int{400}},
		{name: "request line over nginx's buffer", raw: "GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\n" + host + "\r\n", status: []int{414}},
		{name: "unknown Expect", raw: "GET /a HTTP/1.1\r\n" + host + "Expect: magic\r\n\r\n", status: []int{417}},
	}
	for _, engine := range engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			e := newEnvEngine(t, engine)
			rec, url := newUpRecorder(t)
			e.route(e.service(url, nil), map[string]any{"paths": []any{"/"}})
			addr := e.srv.Listener.Addr().String()
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					status, up := tt.status, tt.upstream
					if engine == "native" && tt.native != nil {
						status, up = tt.native, tt.nativeUp
					}
					got, _, _ := exchangeRaw(t, addr, tt.raw, cmpOr(tt.method, "GET"))
					if !slices.Equal(got, status) && !(tt.mayReset && len(got) == 0) {
						t.Errorf("statuses %v, want %v", got, status)
					}
					if seen := rec.take(); !slices.Equal(seen, up) && !(len(seen) == 0 && len(up) == 0) {
						t.Errorf("upstream saw %q, want %q", seen, up)
					}
				})
			}
		})
	}
}

// TestConnectionReuse checks which responses keep the connection: HTTP/1.1
// unless Connection: close, HTTP/1.0 only with Connection: keep-alive
// (which the response repeats; http.ReadResponse drops a "close").
func TestConnectionReuse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, url := newUpRecorder(t)
	e.route(e.service(url, nil), map[string]any{"paths": []any{"/"}})
	addr := e.srv.Listener.Addr().String()
	for _, tt := range []struct {
		name, raw, connection string
		closed                bool
	}{
		{"HTTP/1.1", "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", "", false},
		{"HTTP/1.1 close", "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "", true},
		{"HTTP/1.0", "GET /a HTTP/1.0\r\n\r\n", "", true},
		{"HTTP/1.0 keep-alive", "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "keep-alive", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			statuses, h, closed := exchangeRaw(t, addr, tt.raw, "GET")
			if !slices.Equal(statuses, []int{200}) || closed != tt.closed || h.Get("Connection") != tt.connection {
				t.Errorf("statuses %v, closed %v, Connection %q; want [200], %v, %q", statuses, closed, h.Get("Connection"), tt.closed, tt.connection)
			}
		})
	}
}

// TestExpectContinue: 100 Continue comes when the body is first read, and
// the body reaches the upstream.
func TestExpectContinue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rec, url := newUpRecorder(t)
	e.route(e.service(url, nil), map[string]any{"paths": []any{"/"}})
	conn, err := net.DialTimeout("tcp", e.srv.Listener.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.WriteString(conn, "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
	br := bufio.NewReader(conn)
	line, err := br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("got %q, %v; want 100 Continue", line, err)
	}
	if line, _ = br.ReadString('\n'); line != "\r\n" {
		t.Fatalf("100 Continue followed by %q", line)
	}
	_, _ = io.WriteString(conn, "hello")
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if seen := rec.take(); res.StatusCode != 200 || !slices.Equal(seen, []string{"POST /a hello"}) {
		t.Errorf("status %d, upstream saw %q", res.StatusCode, seen)
	}
}
