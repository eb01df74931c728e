package proxy_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/proxy"
)

// TestServerShutdown: Shutdown closes the idle connections at once, lets
// an active request finish, then returns; Serve returns
// http.ErrServerClosed.
func TestServerShutdown(t *testing.T) {
	t.Parallel()
	e := newEnvEngine(t, "native")
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-release
		}
		_, _ = io.WriteString(w, "done")
	}))
	t.Cleanup(up.Close)
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &proxy.Server{Proxy: e.proxy}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		return c, bufio.NewReader(c)
	}

	idle, idleR := dial()
	_, _ = io.WriteString(idle, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
	res, err := http.ReadResponse(idleR, nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("fast request: %v", err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	active, activeR := dial()
	_, _ = io.WriteString(active, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(100 * time.Millisecond) // the slow request reaches the upstream

	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	if _, err := idleR.ReadByte(); err == nil {
		t.Error("idle connection still open after Shutdown")
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned before the active request ended: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	res, err = http.ReadResponse(activeR, nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("active request: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	if string(body) != "done" {
		t.Errorf("body %q", body)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
}
