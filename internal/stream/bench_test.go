package stream

import (
	"io"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/router"
)

// benchTargets returns the address of upstream and of a gateway listener
// proxying to it with a tcp route.
func benchTargets(b *testing.B, upstream netip.AddrPort) (direct, gateway netip.AddrPort) {
	g := newGateway(b, Options{})
	addr := g.listenTCP(b, false)
	var c config
	c.route(service("tcp", upstream), []string{"tcp"}, func(r *router.Route) {
		r.Destinations = []router.Endpoint{{Port: int(addr.Port())}}
	})
	g.load(b, &c)
	return upstream, addr
}

// BenchmarkTCPThroughput streams 64 KiB writes over one connection to an
// upstream that discards them, directly and through the gateway.
func BenchmarkTCPThroughput(b *testing.B) {
	var received atomic.Int64
	sink := serveTCP(b, nil, func(c net.Conn) {
		n, _ := io.Copy(io.Discard, c)
		received.Add(n)
	})
	direct, gateway := benchTargets(b, sink)
	chunk := make([]byte, 64<<10)
	for _, target := range []struct {
		name string
		addr netip.AddrPort
	}{{"direct", direct}, {"gateway", gateway}} {
		b.Run(target.name, func(b *testing.B) {
			c, err := net.Dial("tcp", target.addr.String())
			if err != nil {
				b.Fatal(err)
			}
			before := received.Load()
			b.SetBytes(int64(len(chunk)))
			for b.Loop() {
				if _, err := c.Write(chunk); err != nil {
					b.Fatal(err)
				}
			}
			c.Close()
			want := before + int64(b.N)*int64(len(chunk))
			for deadline := time.Now().Add(ioTimeout); received.Load() < want; {
				if time.Now().After(deadline) {
					b.Fatalf("the upstream got %d of %d bytes", received.Load()-before, want-before)
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
}

// BenchmarkTCPConnection opens a connection, exchanges one byte with an
// echo upstream and closes, directly and through the gateway. Each
// gateway iteration leaves its upstream connection in TIME_WAIT: run it
// with a bounded count (-benchtime 3000x) not to exhaust the ephemeral
// ports.
func BenchmarkTCPConnection(b *testing.B) {
	direct, gateway := benchTargets(b, serveTCP(b, nil, echo))
	for _, target := range []struct {
		name string
		addr netip.AddrPort
	}{{"direct", direct}, {"gateway", gateway}} {
		b.Run(target.name, func(b *testing.B) {
			buf := make([]byte, 1)
			for b.Loop() {
				c, err := net.Dial("tcp", target.addr.String())
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.Write(buf); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					b.Fatal(err)
				}
				c.(*net.TCPConn).SetLinger(0) // no TIME_WAIT on the client side
				c.Close()
			}
		})
	}
}
