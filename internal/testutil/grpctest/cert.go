package grpctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"
)

var (
	certOnce sync.Once
	cert     tls.Certificate
	certErr  error
)

// Certificate returns the self-signed certificate the TLS servers of the
// test binary present, for 127.0.0.1 and localhost.
func Certificate(t testing.TB) tls.Certificate {
	t.Helper()
	certOnce.Do(func() {
		var key *ecdsa.PrivateKey
		if key, certErr = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); certErr != nil {
			return
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		var der []byte
		if der, certErr = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key); certErr != nil {
			return
		}
		cert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	})
	if certErr != nil {
		t.Fatal(certErr)
	}
	return cert
}
