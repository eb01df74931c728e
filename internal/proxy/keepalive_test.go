package proxy_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/proxy"
)

// countingUpstream answers "ok" and counts the connections it accepted.
func countingUpstream(t *testing.T, keepAlive bool) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.SetKeepAlivesEnabled(keepAlive)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func TestKeepalive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      func(*proxy.Options)
		upKeep    bool
		pause     time.Duration
		wantConns int64
	}{
		{"connections are reused", nil, true, 0, 1},
		{"keep-alive off", func(o *proxy.Options) { o.KeepalivePoolSize = 0 }, true, 0, 5},
		{"max requests per connection", func(o *proxy.Options) { o.KeepaliveMaxRequests = 2 }, true, 0, 3},
		{"idle timeout", func(o *proxy.Options) { o.KeepaliveIdleTimeout = 20 * time.Millisecond }, true, 60 * time.Millisecond, 5},
		{"upstream closing idle connections", nil, false, 0, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []func(*proxy.Options)
			if tt.opts != nil {
				opts = append(opts, tt.opts)
			}
			e := newEnv(t, opts...)
			up, conns := countingUpstream(t, tt.upKeep)
			e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})
			for i := range 5 {
				if res, body := e.do(request{path: "/"}); res.StatusCode != 200 || body != "ok" {
					t.Fatalf("request %d: %d %q", i, res.StatusCode, body)
				}
				time.Sleep(tt.pause)
			}
			if got := conns.Load(); got != tt.wantConns {
				t.Errorf("%d upstream connections, want %d", got, tt.wantConns)
			}
		})
	}
}

// TestStaleConnection: an upstream that closes an idle pooled connection
// costs no failed request, even a POST.
func TestStaleConnection(t *testing.T) {
	t.Parallel()
	up := newEcho(t, "up")
	e := newEnv(t)
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})
	for i := range 5 {
		res, body := e.do(request{method: "POST", path: "/", body: "x"})
		if res.StatusCode != 200 {
			t.Fatalf("request %d: %d %q", i, res.StatusCode, body)
		}
		up.CloseClientConnections() // the upstream drops its idle connections
		time.Sleep(5 * time.Millisecond)
	}
}

// TestHEADKeepsConnection: a HEAD response has no body whatever its
// headers say; the pooled connection stays in step.
func TestHEADKeepsConnection(t *testing.T) {
	t.Parallel()
	up, conns := countingUpstream(t, true)
	e := newEnv(t)
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})
	for _, m := range []string{"HEAD", "GET", "HEAD", "GET"} {
		res, body := e.do(request{method: m, path: "/"})
		want := "ok"
		if m == "HEAD" {
			want = ""
		}
		if res.StatusCode != 200 || body != want {
			t.Errorf("%s: %d %q", m, res.StatusCode, body)
		}
	}
	if conns.Load() != 1 {
		t.Errorf("%d upstream connections, want 1", conns.Load())
	}
}
