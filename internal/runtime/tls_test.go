package runtime

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
)

func TestTLSCertificateBySNI(t *testing.T) {
	exact, prefix, suffix, star := &entities.Certificate{ID: "exact"}, &entities.Certificate{ID: "prefix"},
		&entities.Certificate{ID: "suffix"}, &entities.Certificate{ID: "star"}
	tl := &TLS{BySNI: map[string]*entities.Certificate{
		"a.example.com": exact, "*.example.com": prefix, "example.*": suffix,
	}}
	for name, want := range map[string]*entities.Certificate{
		"a.example.com": exact, "A.Example.com.": exact, "b.example.com": prefix,
		"x.b.example.com": nil, "example.org": suffix, "other.org": nil, "": nil,
	} {
		if got := tl.Certificate(name); got != want {
			t.Errorf("Certificate(%q) = %v, want %v", name, got, want)
		}
	}
	tl.BySNI["*"] = star
	if got := tl.Certificate("other.org"); got != star {
		t.Errorf("the SNI \"*\" is the fallback: got %v", got)
	}
}

func TestCertCacheReparsesOnlyChanged(t *testing.T) {
	var cc CertCache
	certPEM, keyPEM := testPair(t)
	c := &entities.Certificate{ID: "c1", Cert: certPEM, Key: keyPEM}
	a, err := cc.Pairs(c)
	if err != nil || len(a) != 1 {
		t.Fatal(len(a), err)
	}
	b, _ := cc.Pairs(&entities.Certificate{ID: "c1", Cert: certPEM, Key: keyPEM})
	if &a[0] != &b[0] {
		t.Error("an unchanged certificate was parsed again")
	}
	certPEM2, keyPEM2 := testPair(t)
	d, _ := cc.Pairs(&entities.Certificate{ID: "c1", Cert: certPEM2, Key: keyPEM2})
	if &d[0] == &a[0] {
		t.Error("a changed certificate was not parsed again")
	}
	if _, err := cc.Pairs(&entities.Certificate{ID: "c2", Cert: certPEM, Key: keyPEM2}); err == nil || err.Error() != errCertificate.Error() {
		t.Errorf("mismatched key: %v", err)
	}
}

func testPair(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "t"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kd, _ := x509.MarshalPKCS8PrivateKey(key)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}))
}

func TestCertCachePrune(t *testing.T) {
	var cc CertCache
	certPEM, keyPEM := testPair(t)
	for _, id := range []string{"kept", "gone"} {
		if _, err := cc.Pairs(&entities.Certificate{ID: id, Cert: certPEM, Key: keyPEM}); err != nil {
			t.Fatal(err)
		}
	}
	snap := &Snapshot{Generation: 7, TLS: &TLS{Certificates: map[string]*entities.Certificate{"kept": {ID: "kept"}}}}
	cc.Prune(snap)
	if _, ok := cc.certs.Load("gone"); ok {
		t.Error("a deleted certificate stayed in the cache")
	}
	if _, ok := cc.certs.Load("kept"); !ok {
		t.Error("a current certificate left the cache")
	}
}
