package stream

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/netip"
	"testing"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/router"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// dialTLS opens a TLS connection to addr sending sni, trusting roots.
func dialTLS(t testing.TB, addr netip.AddrPort, sni string, roots ...tls.Certificate) (*tls.Conn, error) {
	t.Helper()
	c, err := tls.Dial("tcp", addr.String(), &tls.Config{ServerName: sni, RootCAs: pool(roots...)})
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

// TestTLSTerminated: on a listener with the ssl flag, tls routes get
// their TLS terminated with the certificate of the client's SNI and their
// plain bytes proxied. (Between stream routes, an exact SNI does not
// outrank a wildcard one: both only set the SNI bit.)
func TestTLSTerminated(t *testing.T) {
	def, _, _ := certificate(t, "default.test")
	a, _, _ := certificate(t, "a.test")
	b, _, _ := certificate(t, "b.test")
	g := newGateway(t, Options{TLS: bySNI(def, map[string]tls.Certificate{"a.test": a, "b.test": b})})
	addr := g.listenTCP(t, true)
	var c config
	c.route(service("tcp", serveTCP(t, nil, greeter("upstream-a"))), []string{"tls"}, func(r *router.Route) {
		r.SNIs = []string{"a.test"}
	})
	c.route(service("tcp", serveTCP(t, nil, greeter("upstream-b"))), []string{"tls"}, func(r *router.Route) {
		r.SNIs = []string{"b.*"}
	})
	g.load(t, &c)

	for _, tt := range []struct {
		sni      string
		cert     tls.Certificate
		upstream string
	}{{"a.test", a, "upstream-a"}, {"b.test", b, "upstream-b"}} {
		conn, err := dialTLS(t, addr, tt.sni, tt.cert)
		if err != nil {
			t.Fatalf("%s: handshake: %v", tt.sni, err)
		}
		if got := readLine(t, conn); got != tt.upstream {
			t.Errorf("%s: greeting %q", tt.sni, got)
		}
		if got := roundTrip(t, conn, "over tls"); got != "over tls" {
			t.Errorf("%s: echo %q", tt.sni, got)
		}
	}
	// A name no route has: no route, the connection is closed before the
	// handshake completes.
	if _, err := dialTLS(t, addr, "c.example", def); err == nil {
		t.Error("a handshake completed for an SNI no route matches")
	}
	g.waitLog(t, "no Route found with those values")
}

// TestTLSPassthrough: a tls_passthrough route gets the client's TLS
// session through untouched: the client sees the upstream's certificate,
// not the gateway's, and no TLS is added towards the upstream whatever the
// service protocol.
func TestTLSPassthrough(t *testing.T) {
	def, _, _ := certificate(t, "gateway.test")
	upCert, _, _ := certificate(t, "pass.test")
	g := newGateway(t, Options{TLS: bySNI(def, nil)})
	addr := g.listenTCP(t, true)
	var seen = make(chan string, 1)
	upstream := serveTCP(t, &tls.Config{Certificates: []tls.Certificate{upCert}}, func(c net.Conn) {
		tc := c.(*tls.Conn)
		if tc.Handshake() == nil {
			seen <- tc.ConnectionState().ServerName
		}
		echo(c)
	})
	var c config
	c.route(service("tls", upstream), []string{"tls_passthrough"}, func(r *router.Route) {
		r.SNIs = []string{"pass.test"}
	})
	g.load(t, &c)

	conn, err := dialTLS(t, addr, "pass.test", upCert)
	if err != nil {
		t.Fatalf("handshake through the gateway: %v", err)
	}
	if got := conn.ConnectionState().PeerCertificates[0]; !bytes.Equal(got.Raw, upCert.Leaf.Raw) {
		t.Errorf("the client saw %q's certificate, want the upstream's", got.Subject.CommonName)
	}
	if sni := <-seen; sni != "pass.test" {
		t.Errorf("the upstream saw SNI %q", sni)
	}
	if got := roundTrip(t, conn, "end to end"); got != "end to end" {
		t.Errorf("echo %q", got)
	}
}

// TestTLSListenerProtocols: on a TLS listener a route must be tls or
// tls_passthrough; a tcp route matched there closes the connection, and
// bytes that are not TLS match without SNI. A tls route without a service
// completes the handshake, then closes, as Kong's TLS terminator does.
func TestTLSListenerProtocols(t *testing.T) {
	def, _, _ := certificate(t, "gateway.test")
	g := newGateway(t, Options{TLS: bySNI(def, nil)})
	addr := g.listenTCP(t, true)
	var c config
	c.route(service("tcp", serveTCP(t, nil, echo)), []string{"tcp"}, func(r *router.Route) {
		r.Destinations = []router.Endpoint{{Port: int(addr.Port())}}
	})
	g.load(t, &c)
	conn := dial(t, addr)
	io.WriteString(conn, "plain text")
	expectClosed(t, conn)
	g.waitLog(t, "unexpected protocols in matched Route")

	c = config{}
	c.route(nil, []string{"tls"}, func(r *router.Route) { r.SNIs = []string{"nothing.test"} })
	g.load(t, &c)
	tc, err := tls.Dial("tcp", addr.String(), &tls.Config{ServerName: "nothing.test", InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	defer tc.Close()
	expectClosed(t, tc)
	g.waitLog(t, "no Service found with those values")
}

// TestTLSToUpstream: a tls service gets TLS from the gateway with the
// service's settings: no verification by default, its CA certificates
// with tls_verify, the upstream's host_header (or, on preserve_host
// routes, the client's SNI) as the server name; without CA certificates,
// the stream proxy's proxy_ssl_trusted_certificate, else nothing.
func TestTLSToUpstream(t *testing.T) {
	upCert, upPEM, _ := certificate(t, "upstream.test")
	names := make(chan string, 4)
	upstream := serveTCP(t, &tls.Config{Certificates: []tls.Certificate{upCert}}, func(c net.Conn) {
		tc := c.(*tls.Conn)
		if tc.Handshake() != nil {
			return
		}
		names <- tc.ConnectionState().ServerName
		echo(c)
	})
	def, _, _ := certificate(t, "gateway.test")
	client, _, _ := certificate(t, "client.test")
	g := newGateway(t, Options{TLS: bySNI(def, map[string]tls.Certificate{"client.test": client})})
	plain, secure := g.listenTCP(t, false), g.listenTCP(t, true)

	up := &runtime.Upstream{Upstream: &entities.Upstream{ID: newID(), Name: "tls-backends", Algorithm: "round-robin",
		HashOn: "none", HashFallback: "none", Slots: 10000, HostHeader: "upstream.test"}}
	up.Targets = []*entities.Target{{ID: newID(), UpstreamID: up.ID, Target: upstream.String(), Weight: 100}}
	byName := service("tls", netip.AddrPort{})
	byName.Host, byName.Port = "tls-backends", 443
	verify := true
	byName.TLSVerify, byName.CACertificates = &verify, []string{"ca"}
	c := config{upstreams: map[string]*runtime.Upstream{"tls-backends": up},
		tls: &runtime.TLS{CACertificates: map[string]string{"ca": upPEM}}}
	c.route(byName, []string{"tcp"}, func(r *router.Route) { r.Destinations = []router.Endpoint{{Port: int(plain.Port())}} })
	// On the plain listener SNIs do not constrain: the destination keeps
	// this route off it (it would outrank the other).
	c.route(service("tls", upstream), []string{"tls"}, func(r *router.Route) {
		r.SNIs, r.PreserveHost = []string{"client.test"}, true
		r.Destinations = []router.Endpoint{{Port: int(secure.Port())}}
	})
	g.load(t, &c)

	if got := roundTrip(t, dial(t, plain), "verified"); got != "verified" {
		t.Fatalf("echo %q", got)
	}
	if sni := <-names; sni != "upstream.test" {
		t.Errorf("server name %q, want the upstream's host_header", sni)
	}
	conn, err := dialTLS(t, secure, "client.test", client)
	if err != nil {
		t.Fatal(err)
	}
	if got := roundTrip(t, conn, "preserved"); got != "preserved" {
		t.Fatalf("echo %q", got)
	}
	if sni := <-names; sni != "client.test" {
		t.Errorf("server name %q, want the client's (preserve_host)", sni)
	}

	// tls_verify without the CA: the handshake fails, on every try.
	byName.CACertificates = nil
	g.load(t, &c)
	expectClosed(t, dial(t, plain))
	g.waitLog(t, "upstream SSL certificate verify error: (18:self-signed certificate)")

	// The stream proxy's trusted certificate serves; the http proxy's
	// does not.
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM([]byte(upPEM))
	trusted := runtime.UpstreamDefaults{Verify: true, Roots: roots, Depth: 1}
	c.node = &runtime.NodeTLS{HTTP: trusted}
	g.load(t, &c)
	expectClosed(t, dial(t, plain))
	c.node = &runtime.NodeTLS{Stream: trusted}
	g.load(t, &c)
	if got := roundTrip(t, dial(t, plain), "node trust"); got != "node trust" {
		t.Fatalf("echo %q", got)
	}
}
