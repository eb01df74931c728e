package stream

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	lb "github.com/silverback-gw/silverback/internal/balancer"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/router"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// ioTimeout bounds every read a test waits for.
const ioTimeout = 5 * time.Second

// snapshots is a SnapshotSource tests replace the snapshot of.
type snapshots struct {
	p atomic.Pointer[runtime.Snapshot]
}

func (s *snapshots) Load() *runtime.Snapshot { return s.p.Load() }

// config is what a test snapshot is built from.
type config struct {
	routes    []router.Route
	upstreams map[string]*runtime.Upstream
	tls       *runtime.TLS
	node      *runtime.NodeTLS
}

var ids atomic.Uint64

// newID returns a UUID; later ids are greater.
func newID() string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", ids.Add(1)) }

// service returns a stream service with Kong's defaults.
func service(protocol string, addr netip.AddrPort) *entities.Service {
	return &entities.Service{ID: newID(), Protocol: protocol, Host: addr.Addr().String(), Port: int(addr.Port()),
		Retries: 5, ConnectTimeout: 60000, WriteTimeout: 60000, ReadTimeout: 60000, Enabled: true}
}

// route adds a route to svc (nil: none) with protocols; set fills the
// matching fields.
func (c *config) route(svc *entities.Service, protocols []string, set func(*router.Route)) *entities.Route {
	ent := &entities.Route{ID: newID(), Protocols: protocols}
	rt := router.Route{ID: ent.ID, Protocols: protocols}
	if set != nil {
		set(&rt)
	}
	ent.SNIs, ent.PreserveHost = rt.SNIs, rt.PreserveHost
	rt.Payload = &runtime.Binding{Route: ent, Service: svc}
	c.routes = append(c.routes, rt)
	return ent
}

func (c *config) snapshot(t testing.TB) *runtime.Snapshot {
	t.Helper()
	sr, err := router.NewStream(c.routes)
	if err != nil {
		t.Fatal(err)
	}
	return &runtime.Snapshot{StreamRouter: sr, Upstreams: c.upstreams, TLS: c.tls, Node: c.node, Generation: ids.Add(1)}
}

// gateway is a Server under test with its listeners.
type gateway struct {
	s    *Server
	snap *snapshots
	log  *syncBuffer
}

func newGateway(t testing.TB, opts Options) *gateway {
	t.Helper()
	g := &gateway{snap: &snapshots{}, log: &syncBuffer{}}
	opts.Snapshots = g.snap
	opts.Logger = slog.New(slog.NewTextHandler(g.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if opts.Balancers == nil {
		set := lb.NewSet(lb.Options{Logger: slog.New(slog.DiscardHandler)})
		t.Cleanup(func() { set.Close() })
		opts.Balancers = set
	}
	g.s = New(opts)
	t.Cleanup(func() { g.s.Close() })
	return g
}

func (g *gateway) load(t testing.TB, c *config) { g.snap.p.Store(c.snapshot(t)) }

// listenTCP serves a TCP listener (with the ssl flag when tls) and
// returns its address.
func (g *gateway) listenTCP(t testing.TB, tls bool) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go g.s.ServeTCP(ln, tls)
	return addrPort(ln.Addr())
}

func (g *gateway) listenUDP(t testing.TB) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	go g.s.ServeUDP(pc)
	return addrPort(pc.LocalAddr())
}

// waitLog waits for the gateway to log s.
func (g *gateway) waitLog(t testing.TB, s string) {
	t.Helper()
	deadline := time.Now().Add(ioTimeout)
	for !strings.Contains(g.log.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("%q not logged; log:\n%s", s, g.log.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer safe for a logger and a test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveTCP runs handle for every connection of a new listener (TLS with
// cfg when not nil) and returns its address.
func serveTCP(t testing.TB, cfg *tls.Config, handle func(net.Conn)) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	if cfg != nil {
		ln = tls.NewListener(ln, cfg)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return addrPort(ln.Addr())
}

// echo copies what it reads back until the client ends its stream.
func echo(c net.Conn) { io.Copy(c, c) }

// greeter writes its name, then echoes.
func greeter(name string) func(net.Conn) {
	return func(c net.Conn) {
		io.WriteString(c, name+"\n")
		echo(c)
	}
}

// udpEcho is a UDP server sending every datagram back, prefixed with the
// sender's address.
func udpEcho(t testing.TB) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, maxDatagram)
		for {
			n, from, err := pc.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			pc.WriteToUDPAddrPort(append([]byte(from.String()+" "), buf[:n]...), from)
		}
	}()
	return addrPort(pc.LocalAddr())
}

// roundTrip writes msg on c and reads as many bytes back.
func roundTrip(t testing.TB, c net.Conn, msg string) string {
	t.Helper()
	if _, err := io.WriteString(c, msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	buf := make([]byte, len(msg))
	c.SetReadDeadline(time.Now().Add(ioTimeout))
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatalf("read back %q: %v", msg, err)
	}
	return string(buf)
}

// readLine reads up to a newline.
func readLine(t testing.TB, c net.Conn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(ioTimeout))
	var b []byte
	one := make([]byte, 1)
	for {
		if _, err := c.Read(one); err != nil {
			t.Fatalf("read line: %v (got %q)", err, b)
		}
		if one[0] == '\n' {
			return string(b)
		}
		b = append(b, one[0])
	}
}

// expectClosed asserts the gateway ends the connection without sending
// anything.
func expectClosed(t testing.TB, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(ioTimeout))
	n, err := c.Read(make([]byte, 1))
	var ne net.Error
	if n != 0 || err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("read %d bytes, error %v: want the connection closed", n, err)
	}
}

func dial(t testing.TB, addr netip.AddrPort) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// certificate returns a self-signed certificate for names and its PEM.
func certificate(t testing.TB, names ...string) (tls.Certificate, string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: names[0]},
		DNSNames: names, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kd, _ := x509.MarshalPKCS8PrivateKey(key)
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}))
	pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		t.Fatal(err)
	}
	pair.Leaf, _ = x509.ParseCertificate(der)
	return pair, certPEM, keyPEM
}

// bySNI is a server TLS configuration serving the certificate of the
// client's SNI, else def, as the gateway's proxy certificate selection.
func bySNI(def tls.Certificate, certs map[string]tls.Certificate) *tls.Config {
	return &tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if c, ok := certs[h.ServerName]; ok {
			return &c, nil
		}
		return &def, nil
	}}
}

func pool(certs ...tls.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c.Leaf)
	}
	return p
}

// withTimeout is a context for a test's waits.
func withTimeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	t.Cleanup(cancel)
	return ctx
}
