package proxy_test

import (
	"net"
	"net/http"
	"strings"
	"testing"

	mdns "github.com/miekg/dns"
)

// upstreamEntity creates an upstream named name with targets (addr →
// weight) and a service balanced over it.
func (e *env) upstreamEntity(name string, targets map[string]int, service map[string]any) string {
	e.t.Helper()
	up := e.insert("upstreams", map[string]any{"name": name})
	for addr, w := range targets {
		e.insert("targets", map[string]any{"upstream": map[string]any{"id": up}, "target": addr, "weight": w})
	}
	row := map[string]any{"host": name}
	for k, v := range service {
		row[k] = v
	}
	return e.insert("services", row)
}

func addrOf(u *echoUpstream) string { return u.Listener.Addr().String() }

func TestRoundRobin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, b, c, off := newEcho(t, "a"), newEcho(t, "b"), newEcho(t, "c"), newEcho(t, "off")
	svc := e.upstreamEntity("rr.test", map[string]int{addrOf(a): 100, addrOf(b): 100, addrOf(c): 200, addrOf(off): 0}, nil)
	e.route(svc, map[string]any{"paths": []any{"/"}})

	for range 40 {
		res, body := e.do(request{path: "/"})
		if res.StatusCode != 200 {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
	}
	if got := [4]int64{a.count.Load(), b.count.Load(), c.count.Load(), off.count.Load()}; got != [4]int64{10, 10, 20, 0} {
		t.Errorf("requests per target a, b, c, off = %v, want [10 10 20 0]", got)
	}

	// The position survives a rebuild: 40 more requests keep the ratio.
	e.route(e.service(addrURL(a), nil), map[string]any{"paths": []any{"/other"}})
	for range 40 {
		e.do(request{path: "/"})
	}
	if got := [3]int64{a.count.Load(), b.count.Load(), c.count.Load()}; got != [3]int64{20, 20, 40} {
		t.Errorf("after a rebuild: %v, want [20 20 40]", got)
	}
}

func addrURL(u *echoUpstream) string { return u.URL }

// TestUpstreamHost: the Host sent is the target's (with its port), or the
// upstream's host_header.
func TestUpstreamHost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := newEcho(t, "a")
	svc := e.upstreamEntity("host.test", map[string]int{addrOf(a): 100}, nil)
	e.route(svc, map[string]any{"paths": []any{"/plain"}})
	up := e.insert("upstreams", map[string]any{"name": "hh.test", "host_header": "backend.test"})
	e.insert("targets", map[string]any{"upstream": map[string]any{"id": up}, "target": addrOf(a)})
	e.route(e.insert("services", map[string]any{"host": "hh.test"}), map[string]any{"paths": []any{"/hh"}})

	_, body := e.do(request{path: "/plain"})
	if got := decodeEcho(t, body).Host; got != addrOf(a) {
		t.Errorf("Host %q, want %q", got, addrOf(a))
	}
	_, port, _ := net.SplitHostPort(addrOf(a))
	_, body = e.do(request{path: "/hh"})
	if got := decodeEcho(t, body).Host; got != "backend.test:"+port {
		t.Errorf("Host %q, want backend.test:%s", got, port)
	}
}

func TestBalancerErrors(t *testing.T) {
	t.Parallel()
	dnsSrv, withDNS := withDNS(t)
	dnsSrv.A("svc.example.test", 60, "127.0.0.1")
	for _, typ := range []uint16{mdns.TypeSRV, mdns.TypeA, mdns.TypeCNAME} {
		dnsSrv.Rcode("fail.example.test", typ, mdns.RcodeServerFailure)
	}
	e := newEnv(t, withDNS)
	a := newEcho(t, "a")
	_, port, _ := net.SplitHostPort(addrOf(a))
	e.route(e.upstreamEntity("empty.test", nil, nil), map[string]any{"paths": []any{"/empty"}})
	e.route(e.upstreamEntity("zero.test", map[string]int{addrOf(a): 0}, nil), map[string]any{"paths": []any{"/zero"}})
	e.route(e.service("http://nxdomain.example.test", nil), map[string]any{"paths": []any{"/nx"}})
	e.route(e.service("http://fail.example.test", nil), map[string]any{"paths": []any{"/servfail"}})
	e.route(e.service("http://svc.example.test:"+port, nil), map[string]any{"paths": []any{"/name"}})
	e.route(e.upstreamEntity("named.test", map[string]int{"svc.example.test:" + port: 10}, nil), map[string]any{"paths": []any{"/named-target"}})

	tests := []struct {
		path   string
		status int
		msg    string
	}{
		{"/empty", 503, "failure to get a peer from the ring-balancer"},
		{"/zero", 503, "failure to get a peer from the ring-balancer"},
		{"/nx", 503, "name resolution failed"},
		{"/servfail", 500, "failed the initial dns/balancer resolve for 'fail.example.test' with: dns server error: 2 server failure"},
		{"/name", 200, ""},
		{"/named-target", 200, ""},
	}
	for _, tt := range tests {
		res, body := e.do(request{path: tt.path})
		if res.StatusCode != tt.status || !strings.Contains(body, tt.msg) {
			t.Errorf("%s: %d %q, want %d %q", tt.path, res.StatusCode, body, tt.status, tt.msg)
		}
		if tt.status >= 500 && res.Header.Get("X-Kong-Response-Latency") == "" {
			t.Errorf("%s: balancer errors are not proxied: want X-Kong-Response-Latency", tt.path)
		}
	}
	_, body := e.do(request{path: "/name"})
	if got := decodeEcho(t, body).Host; got != "svc.example.test:"+port {
		t.Errorf("Host %q", got)
	}
}

// TestRetries: connection failures move to the next target while retries
// last; a request already sent is retried only if idempotent.
func TestRetries(t *testing.T) {
	t.Parallel()
	live := newEcho(t, "live")
	dead := deadAddr(t)
	reset := resettingUpstream(t)

	t.Run("dead target then live", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		svc := e.upstreamEntity("retry.test", map[string]int{dead: 100, addrOf(live): 100}, map[string]any{"retries": 1})
		e.route(svc, map[string]any{"paths": []any{"/"}})
		for i := range 6 {
			res, body := e.do(request{method: "POST", path: "/", body: "payload"})
			if res.StatusCode != 200 || decodeEcho(t, body).Body != "payload" {
				t.Fatalf("request %d: %d %q", i, res.StatusCode, body)
			}
		}
	})
	t.Run("no retries", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		svc := e.upstreamEntity("noretry.test", map[string]int{dead: 100, addrOf(live): 100}, map[string]any{"retries": 0})
		e.route(svc, map[string]any{"paths": []any{"/"}})
		codes := map[int]int{}
		for range 4 {
			res, _ := e.do(request{path: "/"})
			codes[res.StatusCode]++
		}
		if codes[200] != 2 || codes[502] != 2 {
			t.Errorf("statuses %v, want two 200 and two 502", codes)
		}
	})
	t.Run("sent non-idempotent requests are not retried", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		svc := e.upstreamEntity("reset.test", map[string]int{reset: 100, addrOf(live): 100}, nil)
		e.route(svc, map[string]any{"paths": []any{"/"}})
		codes := map[string]int{}
		for _, m := range []string{"POST", "POST", "GET", "GET", "PATCH", "PATCH", "PUT", "PUT"} {
			res, _ := e.do(request{method: m, path: "/"})
			codes[m+" "+http.StatusText(res.StatusCode)]++
		}
		want := map[string]int{"POST OK": 1, "POST Bad Gateway": 1, "GET OK": 2, "PATCH OK": 1, "PATCH Bad Gateway": 1, "PUT OK": 2}
		for k, v := range want {
			if codes[k] != v {
				t.Errorf("%v, want %v", codes, want)
				break
			}
		}
	})
}

// resettingUpstream accepts connections, reads a request head and closes.
func resettingUpstream(t *testing.T) string {
	return tcpUpstream(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		_, _ = c.Read(buf)
	})
}
