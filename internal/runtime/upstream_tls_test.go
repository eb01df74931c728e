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

// TestClientConfigVerifyDepth: tls_verify_depth N accepts N certificates
// between the upstream's and the trust anchor, as OpenSSL's verify depth.
func TestClientConfigVerifyDepth(t *testing.T) {
	root, rootKey := issue(t, "root", true, nil, nil)
	mid, midKey := issue(t, "mid", true, root, rootKey)
	leaf, leafKey := issue(t, "upstream.test", false, mid, midKey)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{
		{Certificate: [][]byte{leaf.Raw, mid.Raw}, PrivateKey: leafKey}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	snap := &Snapshot{TLS: &TLS{CACertificates: map[string]string{
		"ca": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw})),
	}}}
	var cc CertCache
	for depth, ok := range map[int]bool{-1: true, 0: false, 1: true} {
		cfg, err := cc.ClientConfig(snap, UpstreamTLS{ServerName: "upstream.test", Verify: true, Depth: depth, CAs: "ca"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		err = tls.Client(c, cfg).Handshake()
		c.Close()
		if (err == nil) != ok {
			t.Errorf("depth %d: handshake error %v, want success %v", depth, err, ok)
		}
	}
	if _, err := cc.ClientConfig(snap, UpstreamTLS{Verify: true, CAs: "missing"}); err == nil {
		t.Error("a missing CA certificate was accepted")
	}
}

// TestNewUpstreamTLS: the service's settings, its upstream's client
// certificate when it has none.
func TestNewUpstreamTLS(t *testing.T) {
	yes, depth := true, 2
	svc := &entities.Service{TLSVerify: &yes, TLSVerifyDepth: &depth, CACertificates: []string{"a", "b"}}
	up := &Upstream{ClientCertID: "up-cert"}
	got := NewUpstreamTLS(svc, up, "name.test")
	want := UpstreamTLS{ServerName: "name.test", Verify: true, Depth: 2, CAs: "a,b", ClientCert: "up-cert"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	svc = &entities.Service{ClientCertID: "svc-cert"}
	if got := NewUpstreamTLS(svc, up, ""); got != (UpstreamTLS{Depth: -1, ClientCert: "svc-cert"}) {
		t.Errorf("got %+v", got)
	}
}
