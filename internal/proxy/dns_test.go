package proxy_test

import (
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/dns"
	"github.com/silverback-gw/silverback/internal/proxy"
	"github.com/silverback-gw/silverback/internal/testutil/dnstest"
)

// withDNS starts a DNS server on 127.0.0.1 and returns it with the option
// pointing the proxy's DNS client at it, so that tests never query a real
// name server.
func withDNS(t testing.TB) (*dnstest.Server, func(*proxy.Options)) {
	srv := dnstest.New(t)
	c := dns.New(srv.Config(t))
	return srv, func(o *proxy.Options) { o.DNS = c }
}

// TestSRV: an upstream target naming SRV records is balanced over the
// records by their weights and ports, sent as the target's name or, with
// use_srv_name, the record's target; a service host naming SRV records is
// reached on the record's port with the service's host as Host.
func TestSRV(t *testing.T) {
	t.Parallel()
	a, b := newEcho(t, "a"), newEcho(t, "b")
	portA, portB := echoPort(t, a), echoPort(t, b)
	srv, withDNS := withDNS(t)
	srv.SRV("_http._tcp.pool.test", 60,
		dnstest.SRV{Target: "a.pool.test", Port: portA, Weight: 30},
		dnstest.SRV{Target: "b.pool.test", Port: portB, Weight: 10})
	srv.A("a.pool.test", 60, "127.0.0.1")
	srv.A("b.pool.test", 60, "127.0.0.1")
	srv.SRV("svc.pool.test", 60, dnstest.SRV{Target: "b.pool.test", Port: portB, Weight: 1})
	e := newEnv(t, withDNS)
	svc := e.upstreamEntity("pool.test", map[string]int{"_http._tcp.pool.test:8000": 100}, nil)
	e.route(svc, map[string]any{"paths": []any{"/pool"}})
	up := e.insert("upstreams", map[string]any{"name": "named.test", "use_srv_name": true})
	e.insert("targets", map[string]any{"upstream": map[string]any{"id": up}, "target": "_http._tcp.pool.test:8000"})
	e.route(e.insert("services", map[string]any{"host": "named.test"}), map[string]any{"paths": []any{"/named"}})
	e.route(e.service("http://svc.pool.test", nil), map[string]any{"paths": []any{"/svc"}})

	hosts := map[string]int{}
	for range 40 {
		res, body := e.do(request{path: "/pool"})
		if res.StatusCode != 200 {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
		hosts[decodeEcho(t, body).Host]++
	}
	if a.count.Load() != 30 || b.count.Load() != 10 {
		t.Fatalf("requests a, b = %d, %d, want 30, 10", a.count.Load(), b.count.Load())
	}
	wantA, wantB := "_http._tcp.pool.test:"+strconv.Itoa(int(portA)), "_http._tcp.pool.test:"+strconv.Itoa(int(portB))
	if len(hosts) != 2 || hosts[wantA] != 30 || hosts[wantB] != 10 {
		t.Fatalf("Host headers %v", hosts)
	}
	for range 4 {
		_, body := e.do(request{path: "/named"})
		got := decodeEcho(t, body)
		if want := map[string]string{"a": "a.pool.test:" + strconv.Itoa(int(portA)),
			"b": "b.pool.test:" + strconv.Itoa(int(portB))}[got.ID]; got.Host != want {
			t.Fatalf("use_srv_name: Host %q from %s, want %q", got.Host, got.ID, want)
		}
	}
	_, body := e.do(request{path: "/svc"})
	if got := decodeEcho(t, body); got.ID != "b" || got.Host != "svc.pool.test:"+strconv.Itoa(int(portB)) {
		t.Fatalf("SRV service host: %+v", got)
	}
}

// TestDNSTargetChange: a target name's new address gets the traffic once
// its answer's TTL ends, without a configuration change.
func TestDNSTargetChange(t *testing.T) {
	t.Parallel()
	old := newEcho(t, "old")
	port := echoPort(t, old)
	moved := newEchoOn(t, "127.0.0.2:"+strconv.Itoa(int(port)), "moved")
	srv, withDNS := withDNS(t)
	srv.A("moving.test", 1, "127.0.0.1")
	e := newEnv(t, withDNS)
	target := "moving.test:" + strconv.Itoa(int(port))
	e.route(e.upstreamEntity("moving.up", map[string]int{target: 100}, nil), map[string]any{"paths": []any{"/"}})
	if _, body := e.do(request{path: "/"}); decodeEcho(t, body).ID != "old" {
		t.Fatalf("first request: %s", body)
	}
	srv.A("moving.test", 1, "127.0.0.2")
	deadline := time.Now().Add(5 * time.Second)
	for moved.count.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the new address got no traffic")
		}
		e.do(request{path: "/"})
		time.Sleep(50 * time.Millisecond)
	}
	before := old.count.Load()
	for range 5 {
		if _, body := e.do(request{path: "/"}); decodeEcho(t, body).ID != "moved" {
			t.Fatalf("after the move: %s", body)
		}
	}
	if old.count.Load() != before {
		t.Fatal("the old address still gets traffic")
	}
}

// echoPort is the port an echo upstream listens on.
func echoPort(t testing.TB, u *echoUpstream) uint16 {
	t.Helper()
	ap, err := netip.ParseAddrPort(addrOf(u))
	if err != nil {
		t.Fatal(err)
	}
	return ap.Port()
}
