package proxy_test

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/silverback-gw/silverback/internal/proxy"
)

// logData is what the log phase saw.
type logData struct {
	requestSize, responseSize int64
	uri, upstreamURI          string
	upstreamStatus            int
}

// TestLogData: the byte counts the log phase reports are the bytes that
// crossed the client connection, for a proxied response and for one the
// gateway produced, with the URIs and the upstream's status.
func TestLogData(t *testing.T) {
	t.Parallel()
	up := newEcho(t, "up")
	seen := make(chan logData, 1)
	rec := &recorder{
		access: func(s *proxy.State) {
			if s.Request().Header("X-Deny") != "" {
				s.Exit(403, []byte("denied"), proxy.Header{Name: "Content-Type", Value: "text/plain"})
			}
		},
		log: func(s *proxy.State) {
			seen <- logData{s.RequestSize(), s.ResponseSize(), s.Request().URI(), s.ServiceRequest().URI(), s.UpstreamStatus()}
		},
	}
	e := newEnv(t, withPlugins(rec))
	e.route(e.service(up.URL+"/base", nil), map[string]any{"paths": []any{"/p"}})

	for _, tc := range []struct {
		name, raw string
		want      logData
	}{
		{"proxied", "POST /p/x?a=1 HTTP/1.1\r\nHost: example.test\r\nX-Extra: v\r\nContent-Length: 5\r\n\r\nhello",
			logData{uri: "/p/x?a=1", upstreamURI: "/base/x?a=1", upstreamStatus: 200}},
		{"exit", "GET /p?q HTTP/1.1\r\nHost: example.test\r\nX-Deny: 1\r\n\r\n",
			logData{uri: "/p?q", upstreamURI: "/base?q"}},
		{"no route", "GET /nowhere HTTP/1.1\r\nHost: example.test\r\n\r\n",
			logData{uri: "/nowhere"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := dialRaw(t, e)
			if _, err := conn.Write([]byte(tc.raw)); err != nil {
				t.Fatal(err)
			}
			resp := readResponse(t, conn)
			rec.take()
			got := <-seen
			tc.want.requestSize, tc.want.responseSize = int64(len(tc.raw)), int64(len(resp))
			if got != tc.want {
				t.Errorf("log saw %+v, want %+v; response:\n%s", got, tc.want, resp)
			}
		})
	}
}

// readResponse reads one response with a Content-Length, as sent.
func readResponse(t *testing.T, conn interface{ Read([]byte) (int, error) }) []byte {
	t.Helper()
	var buf []byte
	chunk := make([]byte, 4096)
	for {
		n, err := conn.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if end := bytes.Index(buf, []byte("\r\n\r\n")); end >= 0 {
			head := string(buf[:end])
			i := bytes.Index(bytes.ToLower([]byte(head)), []byte("\r\ncontent-length: "))
			if i < 0 {
				t.Fatalf("no Content-Length in %q", head)
			}
			rest := head[i+len("\r\ncontent-length: "):]
			if j := bytes.IndexByte([]byte(rest), '\r'); j >= 0 {
				rest = rest[:j]
			}
			length, _ := strconv.Atoi(rest)
			if len(buf) >= end+4+length {
				return buf
			}
		}
		if err != nil {
			t.Fatalf("read: %v after %q", err, buf)
		}
	}
}
