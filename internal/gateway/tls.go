package gateway

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/silverback-gw/silverback/internal/conf"
)

// listenerTLS returns the TLS configuration for a listener property, or nil
// when none of its entries has the ssl flag.
func listenerTLS(prefix, name string, entries []conf.Listener, certs conf.Certs) (*tls.Config, error) {
	for _, l := range entries {
		if l.SSL {
			return defaultCertificate(prefix, name, certs.Cert, certs.Key)
		}
	}
	return nil, nil
}

// defaultCertificate returns the certificate for TLS listeners: the
// configured pair, else the self-signed one kept under <prefix>/ssl
// (generated on first use, as Kong generates kong-default-ecdsa.crt).
// Certificates chosen by SNI from the certificates entity come with the TLS
// work of the load-balancing issue.
func defaultCertificate(prefix, name string, certFiles, keyFiles []string) (*tls.Config, error) {
	if len(certFiles) > 0 && len(keyFiles) > 0 {
		c, err := tls.LoadX509KeyPair(certFiles[0], keyFiles[0])
		if err != nil {
			return nil, fmt.Errorf("load %s certificate: %w", name, err)
		}
		return &tls.Config{Certificates: []tls.Certificate{c}, MinVersion: tls.VersionTLS12}, nil
	}
	dir := filepath.Join(prefix, "ssl")
	certPath := filepath.Join(dir, name+"-default-ecdsa.crt")
	keyPath := filepath.Join(dir, name+"-default-ecdsa.key")
	if _, err := os.Stat(certPath); errors.Is(err, fs.ErrNotExist) {
		if err := writeSelfSigned(dir, certPath, keyPath); err != nil {
			return nil, err
		}
	}
	c, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return nil, fmt.Errorf("load default certificate: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{c}, MinVersion: tls.VersionTLS12}, nil
}

func writeSelfSigned(dir, certPath, keyPath string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"Kong"}, OrganizationalUnit: []string{"IT Department"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(20, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	return os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
}
