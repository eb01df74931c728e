package proxy

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

// TestH2PoolKeepalive: HTTP/2 connections are reused for later streams,
// retired after upstream_keepalive_max_requests streams, and closed once
// idle for upstream_keepalive_idle_timeout.
func TestH2PoolKeepalive(t *testing.T) {
	var opened, closed atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			opened.Add(1)
		case http.StateClosed:
			closed.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	tr := newTransport(transportOptions{poolSize: 4, maxRequests: 2, idleTimeout: 100 * time.Millisecond})
	defer tr.close()
	key := poolKey{addr: netip.MustParseAddrPort(srv.Listener.Addr().String()), h2: true}
	stream := func() {
		t.Helper()
		c := tr.h2.get(key)
		if c == nil {
			var err error
			if c, err = tr.h2.dial(context.Background(), key, nil, time.Second); err != nil {
				t.Fatal(err)
			}
		}
		req, _ := http.NewRequest("GET", srv.URL, nil)
		res, err := c.cc.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	for range 3 {
		stream()
	}
	if n := opened.Load(); n != 2 {
		t.Errorf("3 streams with at most 2 per connection opened %d connections", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for closed.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := closed.Load(); n != 2 {
		t.Errorf("%d connections closed, want the retired one and the idle one", n)
	}
}
