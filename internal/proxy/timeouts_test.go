package proxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestTimeouts: a read or write timeout answers 504, a refused
// connection 502 (spec/02-integration/05-proxy/07-upstream_timeouts).
func TestTimeouts(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow-head":
			select {
			case <-release:
			case <-time.After(5 * time.Second):
			}
		case "/slow-body":
			w.Header().Set("Content-Length", "10")
			w.WriteHeader(200)
			_, _ = w.Write([]byte("12345"))
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-time.After(5 * time.Second):
			}
		case "/no-read":
			select { // never reads the body
			case <-release:
			case <-time.After(5 * time.Second):
			}
		}
	}))
	t.Cleanup(func() { close(release); slow.Close() })

	e := newEnv(t)
	fast := map[string]any{"read_timeout": 100, "write_timeout": 100, "retries": 0}
	e.route(e.service(slow.URL, fast), map[string]any{"paths": []any{"/"}})
	e.route(e.service("http://"+deadAddr(t), map[string]any{"retries": 0}), map[string]any{"paths": []any{"/refused"}})

	t.Run("read timeout", func(t *testing.T) {
		start := time.Now()
		res, body := e.do(request{path: "/slow-head"})
		if res.StatusCode != 504 || !strings.HasPrefix(body, "The upstream server is timing out\n") {
			t.Errorf("%d %q", res.StatusCode, body)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %v", d)
		}
		if res.Header.Get("X-Kong-Upstream-Latency") == "" || res.Header.Get("Via") == "" {
			t.Errorf("a failed proxied request still carries the proxy headers: %v", res.Header)
		}
	})
	t.Run("read timeout in the body aborts the response", func(t *testing.T) {
		req, _ := http.NewRequest("GET", e.srv.URL+"/slow-body", nil)
		res, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err == nil || string(b) != "12345" {
			t.Errorf("body %q, err %v: want a broken-off body", b, err)
		}
	})
	t.Run("write timeout", func(t *testing.T) {
		big := strings.Repeat("a", 32<<20)
		res, body := e.do(request{method: "POST", path: "/no-read", body: big})
		if res.StatusCode != 504 {
			t.Errorf("%d %q", res.StatusCode, body)
		}
	})
	t.Run("refused", func(t *testing.T) {
		res, body := e.do(request{path: "/refused"})
		if res.StatusCode != 502 || !strings.HasPrefix(body, "An invalid response was received from the upstream server\n") {
			t.Errorf("%d %q", res.StatusCode, body)
		}
	})
}
