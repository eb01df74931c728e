package stream

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/router"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// TestTCPEcho: a tcp route proxies bytes both ways, a megabyte in flight
// at once included.
func TestTCPEcho(t *testing.T) {
	g := newGateway(t, Options{})
	addr := g.listenTCP(t, false)
	var c config
	c.route(service("tcp", serveTCP(t, nil, echo)), []string{"tcp"}, func(r *router.Route) {
		r.Destinations = []router.Endpoint{{Port: int(addr.Port())}}
	})
	g.load(t, &c)

	conn := dial(t, addr)
	if got := roundTrip(t, conn, "hello"); got != "hello" {
		t.Fatalf("echo %q", got)
	}
	big := make([]byte, 1<<20)
	rand.Read(big)
	go conn.Write(big)
	back := make([]byte, len(big))
	conn.SetReadDeadline(time.Now().Add(ioTimeout))
	if _, err := io.ReadFull(conn, back); err != nil || !bytes.Equal(back, big) {
		t.Fatalf("1 MiB echo: %v, equal %v", err, bytes.Equal(back, big))
	}
}

// TestTCPEndOfStream: as nginx with proxy_half_close off (Kong), the
// upstream closing after its answer gets the answer to the client, then
// the end; the client shutting its writing side down ends the session
// once its bytes reached the upstream.
func TestTCPEndOfStream(t *testing.T) {
	g := newGateway(t, Options{})
	addr := g.listenTCP(t, false)
	got := make(chan string, 1)
	upstream := serveTCP(t, nil, func(c net.Conn) {
		line := make([]byte, 5)
		if _, err := io.ReadFull(c, line); err != nil {
			return
		}
		if string(line) == "quit\n" {
			io.WriteString(c, "bye\n")
			return // closes
		}
		rest, _ := io.ReadAll(c) // until the gateway ends the session
		got <- string(line) + string(rest)
	})
	var c config
	c.route(service("tcp", upstream), []string{"tcp"}, func(r *router.Route) {
		r.Sources = []router.Endpoint{{IP: "127.0.0.1"}}
	})
	g.load(t, &c)

	conn := dial(t, addr)
	io.WriteString(conn, "quit\n")
	if line := readLine(t, conn); line != "bye" {
		t.Fatalf("answer %q", line)
	}
	expectClosed(t, conn)

	conn = dial(t, addr)
	io.WriteString(conn, "data:more")
	conn.(*net.TCPConn).CloseWrite()
	select {
	case s := <-got:
		if s != "data:more" {
			t.Errorf("upstream got %q", s)
		}
	case <-time.After(ioTimeout):
		t.Fatal("the upstream never saw the end of the client's stream")
	}
	expectClosed(t, conn)
}

// TestTCPHalfClose: with nginx_sproxy_proxy_half_close on, the client's
// end of stream reaches the upstream, whose answer still comes back.
func TestTCPHalfClose(t *testing.T) {
	g := newGateway(t, Options{HalfClose: true})
	addr := g.listenTCP(t, false)
	upstream := serveTCP(t, nil, func(c net.Conn) {
		b, _ := io.ReadAll(c)
		io.WriteString(c, "got "+string(b))
	})
	var c config
	c.route(service("tcp", upstream), []string{"tcp"}, func(r *router.Route) {
		r.Sources = []router.Endpoint{{IP: "127.0.0.0/8"}}
	})
	g.load(t, &c)

	conn := dial(t, addr)
	io.WriteString(conn, "ping")
	conn.(*net.TCPConn).CloseWrite()
	conn.SetReadDeadline(time.Now().Add(ioTimeout))
	b, err := io.ReadAll(conn)
	if err != nil || string(b) != "got ping" {
		t.Fatalf("answer %q, %v", b, err)
	}
}

// TestTCPRouting: sources and destinations pick the route, the most
// specific one (sources and destinations together) first, and port_maps
// give the destination port routes see.
func TestTCPRouting(t *testing.T) {
	g := newGateway(t, Options{PortMaps: map[int]int{}})
	a, b := g.listenTCP(t, false), g.listenTCP(t, false)
	g.s.opts.PortMaps[int(b.Port())] = 7000
	var c config
	c.route(service("tcp", serveTCP(t, nil, greeter("by-port"))), []string{"tcp"}, func(r *router.Route) {
		r.Destinations = []router.Endpoint{{Port: int(a.Port())}}
	})
	c.route(service("tcp", serveTCP(t, nil, greeter("by-source-and-destination"))), []string{"tcp"}, func(r *router.Route) {
		r.Sources = []router.Endpoint{{IP: "127.0.0.0/8"}}
		r.Destinations = []router.Endpoint{{IP: "127.0.0.1", Port: int(a.Port())}}
	})
	c.route(service("tcp", serveTCP(t, nil, greeter("mapped"))), []string{"tcp"}, func(r *router.Route) {
		r.Destinations = []router.Endpoint{{Port: 7000}}
	})
	c.route(service("tcp", serveTCP(t, nil, greeter("other-source"))), []string{"tcp"}, func(r *router.Route) {
		r.Sources = []router.Endpoint{{IP: "10.0.0.0/8"}}
		r.Destinations = []router.Endpoint{{Port: int(a.Port())}}
	})
	g.load(t, &c)

	if got := readLine(t, dial(t, a)); got != "by-source-and-destination" {
		t.Errorf("listener a: %q", got)
	}
	if got := readLine(t, dial(t, b)); got != "mapped" {
		t.Errorf("listener b (port_maps to 7000): %q", got)
	}
}

// TestTCPFailures: the gateway closes, sending nothing, a connection that
// no route matches, whose route has no service (or an HTTP one), or whose
// upstream is down, and logs why as Kong does.
func TestTCPFailures(t *testing.T) {
	g := newGateway(t, Options{})
	addr := g.listenTCP(t, false)
	g.load(t, &config{})
	expectClosed(t, dial(t, addr))
	g.waitLog(t, "no Route found with those values")

	downSvc := service("tcp", unusedAddr(t))
	downSvc.Retries = 2
	var c config
	c.route(nil, []string{"tcp"}, func(r *router.Route) { r.Sources = []router.Endpoint{{Port: 1}} })
	c.route(downSvc, []string{"tcp"}, func(r *router.Route) { r.Destinations = []router.Endpoint{{Port: int(addr.Port())}} })
	g.load(t, &c)
	expectClosed(t, dial(t, addr))
	g.waitLog(t, "stream upstream connect failed")

	c = config{}
	c.route(nil, []string{"tcp"}, func(r *router.Route) { r.Destinations = []router.Endpoint{{Port: int(addr.Port())}} })
	g.load(t, &c)
	expectClosed(t, dial(t, addr))
	g.waitLog(t, "no Service found with those values")

	c = config{}
	c.route(service("http", serveTCP(t, nil, echo)), []string{"tcp"}, func(r *router.Route) {
		r.Destinations = []router.Endpoint{{Port: int(addr.Port())}}
	})
	g.load(t, &c)
	expectClosed(t, dial(t, addr))
	g.waitLog(t, "service with protocol 'http' cannot be used with 'stream' subsystem")
}

// TestTCPRetries: a connection refused by one target is retried on the
// next one of the upstream, and reported to the balancer.
func TestTCPRetries(t *testing.T) {
	g := newGateway(t, Options{})
	addr := g.listenTCP(t, false)
	dead := unusedAddr(t)
	alive := serveTCP(t, nil, greeter("alive"))
	up := &runtime.Upstream{Upstream: &entities.Upstream{ID: newID(), Name: "backends", Algorithm: "round-robin",
		HashOn: "none", HashFallback: "none", Slots: 10000}}
	for _, a := range []netip.AddrPort{dead, alive} {
		up.Targets = append(up.Targets, &entities.Target{ID: newID(), UpstreamID: up.ID, Target: a.String(), Weight: 100})
	}
	svc := service("tcp", netip.AddrPort{})
	svc.Host, svc.Port = "backends", 80
	c := config{upstreams: map[string]*runtime.Upstream{"backends": up}}
	c.route(svc, []string{"tcp"}, func(r *router.Route) { r.Destinations = []router.Endpoint{{Port: int(addr.Port())}} })
	g.load(t, &c)
	for range 4 {
		if got := readLine(t, dial(t, addr)); got != "alive" {
			t.Fatalf("greeting %q", got)
		}
	}
}

// unusedAddr returns an address nothing listens on.
func unusedAddr(t testing.TB) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := addrPort(ln.Addr())
	ln.Close()
	return a
}

// TestTCPIdleTimeout: a session that moves nothing for the larger of the
// service's write and read timeouts is closed.
func TestTCPIdleTimeout(t *testing.T) {
	g := newGateway(t, Options{})
	addr := g.listenTCP(t, false)
	svc := service("tcp", serveTCP(t, nil, echo))
	svc.ReadTimeout, svc.WriteTimeout = 100, 200
	var c config
	c.route(svc, []string{"tcp"}, func(r *router.Route) { r.Sources = []router.Endpoint{{IP: "127.0.0.1"}} })
	g.load(t, &c)
	conn := dial(t, addr)
	for range 3 { // activity keeps it open past the timeout
		time.Sleep(100 * time.Millisecond)
		if got := roundTrip(t, conn, "x"); got != "x" {
			t.Fatal(got)
		}
	}
	start := time.Now()
	expectClosed(t, conn)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("closed after %v of idleness, want about 200ms", d)
	}
}

// TestShutdown: Shutdown ends UDP sessions at once, waits for TCP
// connections until its context ends, then closes them.
func TestShutdown(t *testing.T) {
	g := newGateway(t, Options{})
	addr, udpAddr := g.listenTCP(t, false), g.listenUDP(t)
	var c config
	c.route(service("tcp", serveTCP(t, nil, echo)), []string{"tcp"}, func(r *router.Route) {
		r.Destinations = []router.Endpoint{{Port: int(addr.Port())}}
	})
	c.route(service("udp", udpEcho(t)), []string{"udp"}, func(r *router.Route) {
		r.Destinations = []router.Endpoint{{Port: int(udpAddr.Port())}}
	})
	g.load(t, &c)
	conn := dial(t, addr)
	roundTrip(t, conn, "open")
	exchange(t, udpClient(t, udpAddr), "open")

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := g.s.Shutdown(ctx); err != context.DeadlineExceeded {
		t.Errorf("Shutdown: %v, want the deadline", err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("Shutdown returned after %v without waiting for the TCP session", d)
	}
	expectClosed(t, conn)
	g.waitLog(t, "stream udp session ended")
	if _, err := net.Dial("tcp", addr.String()); err == nil {
		t.Error("the listener still accepts")
	}
}
