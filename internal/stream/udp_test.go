package stream

import (
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/router"
)

// udpClient is a client socket talking to addr.
func udpClient(t testing.TB, addr netip.AddrPort) *net.UDPConn {
	t.Helper()
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(addr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// exchange sends msg and returns the answer: "<the upstream's view of the
// sender> <msg>".
func exchange(t testing.TB, c *net.UDPConn, msg string) (from, echoed string) {
	t.Helper()
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, maxDatagram)
	c.SetReadDeadline(time.Now().Add(ioTimeout))
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("no answer to %q: %v", msg, err)
	}
	from, echoed, _ = strings.Cut(string(buf[:n]), " ")
	return from, echoed
}

// TestUDPEcho: a udp route relays a client's datagrams both ways over one
// upstream session per client address, which ends after the service's
// timeout without traffic.
func TestUDPEcho(t *testing.T) {
	g := newGateway(t, Options{})
	addr := g.listenUDP(t)
	svc := service("udp", udpEcho(t))
	svc.ReadTimeout, svc.WriteTimeout = 150, 150
	var c config
	c.route(svc, []string{"udp"}, func(r *router.Route) { r.Sources = []router.Endpoint{{IP: "127.0.0.1"}} })
	g.load(t, &c)

	a, b := udpClient(t, addr), udpClient(t, addr)
	fromA, echoed := exchange(t, a, "hello")
	if echoed != "hello" {
		t.Fatalf("echo %q", echoed)
	}
	if again, _ := exchange(t, a, strings.Repeat("x", 9000)); again != fromA {
		t.Errorf("one client used two upstream sessions: %s then %s", fromA, again)
	}
	if fromB, _ := exchange(t, b, "other"); fromB == fromA {
		t.Error("two clients shared an upstream session")
	}
	time.Sleep(400 * time.Millisecond)
	g.waitLog(t, "stream udp session ended")
	if later, _ := exchange(t, a, "later"); later == fromA {
		t.Error("the idle session was not ended")
	}
}

// TestUDPNoRoute: datagrams no route matches are dropped, and the error
// logged.
func TestUDPNoRoute(t *testing.T) {
	g := newGateway(t, Options{})
	addr := g.listenUDP(t)
	var c config
	c.route(service("udp", udpEcho(t)), []string{"udp"}, func(r *router.Route) { r.Sources = []router.Endpoint{{IP: "10.0.0.1"}} })
	g.load(t, &c)
	cl := udpClient(t, addr)
	cl.Write([]byte("lost"))
	g.waitLog(t, "no Route found with those values")
	cl.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if n, err := cl.Read(make([]byte, 10)); err == nil {
		t.Errorf("got %d bytes back", n)
	}
}
