package runtime

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

// TestVerifyChain: OpenSSL's codes for the usual failures.
func TestVerifyChain(t *testing.T) {
	ch := newChain(t)
	self, _ := issue(t, "self", false, nil, nil)
	expired := func() *x509.Certificate {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "old"},
			NotBefore: time.Now().Add(-2 * time.Hour), NotAfter: time.Now().Add(-time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c
	}()
	for _, tc := range []struct {
		name  string
		certs []*x509.Certificate
		roots *x509.CertPool
		depth int
		code  int // 0: trusted
	}{
		{"trusted", []*x509.Certificate{ch.leaf, ch.mid}, poolOf(ch.root), -1, 0},
		{"trusted intermediate", []*x509.Certificate{ch.leaf}, poolOf(ch.mid), 0, 0},
		{"no roots", []*x509.Certificate{ch.leaf, ch.mid}, nil, -1, 20},
		{"root sent, untrusted", []*x509.Certificate{ch.leaf, ch.mid, ch.root}, nil, -1, 19},
		{"self-signed", []*x509.Certificate{self}, poolOf(ch.root), -1, 18},
		{"self-signed trusted", []*x509.Certificate{self}, poolOf(self), 0, 0},
		{"expired", []*x509.Certificate{expired}, poolOf(expired), -1, 10},
		{"too deep", []*x509.Certificate{ch.leaf, ch.mid}, poolOf(ch.root), 0, 22},
		{"empty", nil, poolOf(ch.root), -1, 1},
	} {
		ce := VerifyChain(tc.certs, tc.roots, tc.depth)
		switch {
		case tc.code == 0 && ce != nil:
			t.Errorf("%s: %v", tc.name, ce)
		case tc.code != 0 && (ce == nil || ce.Code != tc.code):
			t.Errorf("%s: %v, want code %d", tc.name, ce, tc.code)
		}
	}
	if got := errNoLocalIssuer.Error(); got != "20: unable to get local issuer certificate" {
		t.Errorf("error text %q", got)
	}
}

// TestCosocketConfig: lua_ssl_trusted_certificate and lua_ssl_verify_depth
// verify a connection opened as from Lua, with OpenResty's errors.
func TestCosocketConfig(t *testing.T) {
	ch := newChain(t)
	addr, clients := serveTLS(t, tls.Certificate{Certificate: [][]byte{ch.leaf.Raw, ch.mid.Raw}, PrivateKey: ch.leafKey})
	go func() {
		for range clients {
		}
	}()
	node := &NodeTLS{Trust: poolOf(ch.root), Depth: 1}
	for _, tc := range []struct {
		name   string
		node   *NodeTLS
		sni    string
		verify bool
		err    string
	}{
		{"trusted", node, "upstream.test", true, ""},
		{"no verification", nil, "upstream.test", false, ""},
		{"nothing trusted", nil, "upstream.test", true, "20: unable to get local issuer certificate"},
		{"depth", &NodeTLS{Trust: poolOf(ch.root), Depth: 0}, "upstream.test", true, "22: certificate chain too long"},
		{"host mismatch", node, "other.test", true, "certificate host mismatch"},
		{"no name", node, "", true, ""},
	} {
		err := handshake(t, addr, tc.node.CosocketConfig(tc.sni, tc.verify, nil))
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || err.Error() != tc.err) {
			t.Errorf("%s: handshake error %v, want %q", tc.name, err, tc.err)
		}
	}
}
