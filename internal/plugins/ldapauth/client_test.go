package ldapauth_test

import (
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/testutil/ldaptest"
)

// TestKeepalive: binds reuse a pooled connection, which is closed once
// idle for keepalive.
func TestKeepalive(t *testing.T) {
	for _, c := range []struct {
		name      string
		keepalive int
		pause     time.Duration
		conns     int
	}{
		{"reused", 60000, 0, 1},
		{"expired", 100, 400 * time.Millisecond, 3},
	} {
		f := setup(t, map[string]any{"keepalive": c.keepalive})
		before := f.ldap.Connections()
		for i, password := range []string{"a", "b", "password"} {
			if i > 0 {
				time.Sleep(c.pause)
			}
			f.Do(plugintest.Request{Path: "/", Header: http.Header{"Authorization": {"ldap " + basic("einstein:"+password)}}})
		}
		if binds, conns := f.ldap.Binds(einstein), f.ldap.Connections()-before; binds != 3 || conns != c.conns {
			t.Errorf("%s: %d binds on %d connections, want 3 on %d", c.name, binds, conns, c.conns)
		}
	}
}

// TestTimeout: a server that does not answer the bind within timeout
// is Kong's 500, not cached: the next request tries again.
func TestTimeout(t *testing.T) {
	l, err := net.Listen("tcp", ldaptest.Host+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var accepted atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			defer c.Close() // silent until the test ends
		}
	}()
	e := plugintest.New(t, loaded)
	e.Plugin("ldap-auth", plugintest.On("route", e.Route(e.Service(), "/")),
		ldapConfig(l.Addr().(*net.TCPAddr).Port, map[string]any{"timeout": 200}))
	for i := range 2 {
		start := time.Now()
		res, body := e.Do(plugintest.Request{Path: "/", Header: http.Header{
			"Authorization": {"ldap " + basic("einstein:password")}, "Accept": {"application/json"}}})
		if elapsed := time.Since(start); res.StatusCode != 500 || message(t, body) != "An unexpected error occurred" ||
			elapsed < 200*time.Millisecond || elapsed > 3*time.Second {
			t.Errorf("request %d: %d %q after %v", i, res.StatusCode, body, elapsed)
		}
	}
	if n := accepted.Load(); n != 2 {
		t.Errorf("connections: %d, want 2", n)
	}
}
