package runtime

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
)

// issue returns a certificate for cn signed by parent (self-signed when
// parent is nil) and its key.
func issue(t *testing.T, cn string, isCA bool, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: isCA, BasicConstraintsValid: true, DNSNames: []string{cn},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key
}

func pemOf(c *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

func poolOf(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// testChain is a root CA, an intermediate it signed, and an
// "upstream.test" certificate the intermediate signed.
type testChain struct {
	root, mid, leaf *x509.Certificate
	leafKey         *ecdsa.PrivateKey
}

func newChain(t *testing.T) testChain {
	root, rootKey := issue(t, "root", true, nil, nil)
	mid, midKey := issue(t, "mid", true, root, rootKey)
	leaf, leafKey := issue(t, "upstream.test", false, mid, midKey)
	return testChain{root, mid, leaf, leafKey}
}

// serveTLS runs a TLS server on 127.0.0.1 presenting cert, and asking
// for a client certificate; every handshake's client certificate common
// name ("" for none) is sent on the returned channel.
func serveTLS(t *testing.T, cert tls.Certificate) (string, <-chan string) {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.RequestClientCert})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	clients := make(chan string, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			tc := c.(*tls.Conn)
			if tc.Handshake() == nil {
				cn := ""
				if pc := tc.ConnectionState().PeerCertificates; len(pc) > 0 {
					cn = pc[0].Subject.CommonName
				}
				clients <- cn
			}
			c.Close()
		}
	}()
	return ln.Addr().String(), clients
}

// handshake dials addr with cfg and returns the handshake's error.
func handshake(t *testing.T, addr string, cfg *tls.Config) error {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return tls.Client(c, cfg).Handshake()
}

// TestClientConfigVerifyDepth: tls_verify_depth N accepts N certificates
// between the upstream's and the trust anchor, as OpenSSL's verify depth.
func TestClientConfigVerifyDepth(t *testing.T) {
	ch := newChain(t)
	addr, _ := serveTLS(t, tls.Certificate{Certificate: [][]byte{ch.leaf.Raw, ch.mid.Raw}, PrivateKey: ch.leafKey})
	snap := &Snapshot{TLS: &TLS{CACertificates: map[string]string{"ca": pemOf(ch.root)}}}
	var cc CertCache
	for depth, ok := range map[int]bool{-1: true, 0: false, 1: true} {
		cfg, err := cc.ClientConfig(snap, UpstreamTLS{ServerName: "upstream.test", Verify: On, Depth: depth, CAs: "ca"})
		if err != nil {
			t.Fatal(err)
		}
		err = handshake(t, addr, cfg)
		if (err == nil) != ok {
			t.Errorf("depth %d: handshake error %v, want success %v", depth, err, ok)
		}
		if !ok && (err == nil || !strings.Contains(err.Error(), "upstream SSL certificate verify error: (22:certificate chain too long)")) {
			t.Errorf("depth %d: error %v", depth, err)
		}
	}
	if _, err := cc.ClientConfig(snap, UpstreamTLS{Verify: On, CAs: "missing"}); err == nil {
		t.Error("a missing CA certificate was accepted")
	}
}

// TestClientConfigNodeDefaults: a service without tls_verify,
// ca_certificates or tls_verify_depth takes them from its module's
// proxy_ssl_* directives; without a proxy_ssl_trusted_certificate
// nothing is trusted, lua_ssl_trusted_certificate (Trust) included, as
// in nginx.
func TestClientConfigNodeDefaults(t *testing.T) {
	ch := newChain(t)
	addr, _ := serveTLS(t, tls.Certificate{Certificate: [][]byte{ch.leaf.Raw, ch.mid.Raw}, PrivateKey: ch.leafKey})
	trusted := UpstreamDefaults{Verify: true, Roots: poolOf(ch.root), Depth: 1}
	const noIssuer = "upstream SSL certificate verify error: (20:unable to get local issuer certificate)"
	for _, tc := range []struct {
		name string
		node *NodeTLS
		u    UpstreamTLS
		err  string // "" for success
	}{
		{"no node, tls_verify unset", nil, UpstreamTLS{Depth: -1}, ""},
		{"no node, tls_verify on", nil, UpstreamTLS{Verify: On, Depth: -1}, noIssuer},
		{"only lua trust", &NodeTLS{Trust: poolOf(ch.root), Depth: 5}, UpstreamTLS{Verify: On, Depth: -1}, noIssuer},
		{"proxy_ssl_verify on", &NodeTLS{HTTP: trusted}, UpstreamTLS{Depth: -1}, ""},
		{"tls_verify off wins", &NodeTLS{HTTP: UpstreamDefaults{Verify: true, Depth: 1}}, UpstreamTLS{Verify: Off, Depth: -1}, ""},
		{"node depth", &NodeTLS{HTTP: UpstreamDefaults{Verify: true, Roots: poolOf(ch.root), Depth: 0}}, UpstreamTLS{Depth: -1},
			"upstream SSL certificate verify error: (22:certificate chain too long)"},
		{"service depth wins", &NodeTLS{HTTP: UpstreamDefaults{Verify: true, Roots: poolOf(ch.root), Depth: 0}}, UpstreamTLS{Depth: 1}, ""},
		{"grpc module", &NodeTLS{HTTP: trusted}, UpstreamTLS{Module: ModuleGRPC, Verify: On, Depth: -1}, noIssuer},
		{"grpc defaults", &NodeTLS{GRPC: trusted}, UpstreamTLS{Module: ModuleGRPC, Depth: -1}, ""},
		{"stream defaults", &NodeTLS{Stream: trusted}, UpstreamTLS{Module: ModuleStream, Verify: On, Depth: -1}, ""},
		{"name mismatch", &NodeTLS{HTTP: trusted}, UpstreamTLS{Depth: -1, ServerName: "other.test"},
			`upstream SSL certificate does not match "other.test"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.u.ServerName == "" {
				tc.u.ServerName = "upstream.test"
			}
			var cc CertCache
			cfg, err := cc.ClientConfig(&Snapshot{Node: tc.node}, tc.u)
			if err != nil {
				t.Fatal(err)
			}
			err = handshake(t, addr, cfg)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || err.Error() != tc.err) {
				t.Errorf("handshake error %v, want %q", err, tc.err)
			}
		})
	}
}

// TestClientConfigClientCertificate: the service's client_certificate,
// else its upstream entity's, else the node's client_ssl_cert.
func TestClientConfigClientCertificate(t *testing.T) {
	ch := newChain(t)
	addr, clients := serveTLS(t, tls.Certificate{Certificate: [][]byte{ch.leaf.Raw}, PrivateKey: ch.leafKey})
	pair := func(cn string) (tls.Certificate, *entities.Certificate) {
		c, k := issue(t, cn, false, nil, nil)
		der, _ := x509.MarshalECPrivateKey(k)
		ent := &entities.Certificate{ID: cn, Cert: pemOf(c), Key: string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))}
		return tls.Certificate{Certificate: [][]byte{c.Raw}, PrivateKey: k}, ent
	}
	nodeCert, _ := pair("node")
	_, svcCert := pair("service")
	_, upCert := pair("upstream")
	snap := &Snapshot{
		TLS:  &TLS{Certificates: map[string]*entities.Certificate{"service": svcCert, "upstream": upCert}},
		Node: &NodeTLS{ClientCert: &nodeCert},
	}
	up := &Upstream{ClientCertID: "upstream"}
	for _, tc := range []struct {
		svc  *entities.Service
		up   *Upstream
		node *NodeTLS
		want string
	}{
		{&entities.Service{ClientCertID: "service"}, up, snap.Node, "service"},
		{&entities.Service{}, up, snap.Node, "upstream"},
		{&entities.Service{}, nil, snap.Node, "node"},
		{&entities.Service{}, nil, nil, ""},
	} {
		var cc CertCache
		s := *snap
		s.Node = tc.node
		cfg, err := cc.ClientConfig(&s, NewUpstreamTLS(tc.svc, tc.up, "upstream.test"))
		if err != nil {
			t.Fatal(err)
		}
		if err := handshake(t, addr, cfg); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-clients:
			if got != tc.want {
				t.Errorf("client certificate %q, want %q", got, tc.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no handshake")
		}
	}
}

// TestNewUpstreamTLS: the service's settings, its upstream's client
// certificate when it has none, the module of its protocol.
func TestNewUpstreamTLS(t *testing.T) {
	yes, no, depth := true, false, 2
	svc := &entities.Service{Protocol: "https", TLSVerify: &yes, TLSVerifyDepth: &depth, CACertificates: []string{"a", "b"}}
	up := &Upstream{ClientCertID: "up-cert"}
	got := NewUpstreamTLS(svc, up, "name.test")
	want := UpstreamTLS{ServerName: "name.test", Verify: On, Depth: 2, CAs: "a,b", ClientCert: "up-cert"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	svc = &entities.Service{Protocol: "grpcs", ClientCertID: "svc-cert"}
	if got := NewUpstreamTLS(svc, up, ""); got != (UpstreamTLS{Depth: -1, ClientCert: "svc-cert", Module: ModuleGRPC}) {
		t.Errorf("got %+v", got)
	}
	svc = &entities.Service{Protocol: "tls", TLSVerify: &no}
	if got := NewUpstreamTLS(svc, nil, ""); got != (UpstreamTLS{Depth: -1, Verify: Off, Module: ModuleStream}) {
		t.Errorf("got %+v", got)
	}
}
