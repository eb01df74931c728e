package gateway

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// listenerTLS returns the TLS configuration for a listener property, or nil
// when none of its entries has the ssl flag. Its certificate is the
// configured pair(s), else the generated default; with snis set (the proxy
// listeners), the certificates entity matched by the client's SNI comes
// first.
func listenerTLS(cfg *conf.Config, name string, entries []conf.Listener, certs conf.Certs, snis *runtime.Holder, log *slog.Logger) (*tls.Config, error) {
	if !slices.ContainsFunc(entries, func(l conf.Listener) bool { return l.SSL }) {
		return nil, nil
	}
	def, err := defaultCertificates(cfg.Prefix, name, certs.Cert, certs.Key)
	if err != nil {
		return nil, err
	}
	c := &tls.Config{SessionTicketsDisabled: !cfg.SSLSessionTickets}
	if err := applySSLSettings(c, cfg); err != nil {
		return nil, err
	}
	if snis == nil {
		c.Certificates = def
		return c, nil
	}
	sel := &certSelector{snis: snis, def: def, log: log}
	c.GetCertificate = sel.certificate
	return c, nil
}

// certSelector chooses a proxy listener's certificate for each handshake
// from the current snapshot (read atomically, without locks).
type certSelector struct {
	snis  *runtime.Holder
	cache runtime.CertCache
	def   []tls.Certificate
	log   *slog.Logger
}

// certificate is the tls.Config GetCertificate: the certificate whose SNI
// matches the client's server name as Kong matches them, else the default.
// Of a certificate and its cert_alt (RSA and ECDSA), the first the client
// supports is served.
func (s *certSelector) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	var t *runtime.TLS
	if snap := s.snis.Load(); snap != nil {
		t = snap.TLS
		s.cache.Prune(snap)
	}
	if c := t.Certificate(hello.ServerName); c != nil {
		pairs, err := s.cache.Pairs(c)
		if err == nil {
			return supported(hello, pairs), nil
		}
		// The error names no key material.
		s.log.Error("certificate not usable, serving the default", "certificate", c.ID, "error", err)
	}
	return supported(hello, s.def), nil
}

// supported returns the first of pairs whose key and signature algorithms
// the client supports, else the first. The certificate's names are not
// checked: as nginx, the certificate the SNI maps to is served whatever
// names it carries.
func supported(hello *tls.ClientHelloInfo, pairs []tls.Certificate) *tls.Certificate {
	h := *hello
	h.ServerName = ""
	for i := range pairs {
		if h.SupportsCertificate(&pairs[i]) == nil {
			return &pairs[i]
		}
	}
	return &pairs[0]
}

// defaultCertificates returns the default certificates of TLS listeners:
// the configured pairs (Kong accepts an RSA and an ECDSA one), else the
// self-signed ECDSA and RSA pairs kept under <prefix>/ssl (generated on
// first use, as Kong generates kong-default-ecdsa.crt and kong-default.crt).
func defaultCertificates(prefix, name string, certFiles, keyFiles []string) ([]tls.Certificate, error) {
	if len(certFiles) > 0 && len(keyFiles) > 0 {
		var out []tls.Certificate
		for i := range min(len(certFiles), len(keyFiles)) {
			c, err := tls.LoadX509KeyPair(certFiles[i], keyFiles[i])
			if err != nil {
				return nil, fmt.Errorf("load %s certificate %s: %w", name, certFiles[i], err)
			}
			out = append(out, c)
		}
		return out, nil
	}
	dir := filepath.Join(prefix, "ssl")
	var out []tls.Certificate
	for _, kind := range []string{"-default-ecdsa", "-default"} { // Kong's ECDSA and RSA pair
		certPath := filepath.Join(dir, name+kind+".crt")
		keyPath := filepath.Join(dir, name+kind+".key")
		if _, err := os.Stat(certPath); errors.Is(err, fs.ErrNotExist) {
			if err := writeSelfSigned(dir, certPath, keyPath, kind == "-default"); err != nil {
				return nil, err
			}
		}
		c, err := tls.LoadX509KeyPair(certPath, keyPath)
		if err != nil {
			return nil, fmt.Errorf("load default certificate: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// writeSelfSigned writes a self-signed certificate for localhost and its
// key, ECDSA P-256 or, with rsaKey, RSA 2048.
func writeSelfSigned(dir, certPath, keyPath string, rsaKey bool) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	var key crypto.Signer
	var err error
	if rsaKey {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
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
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
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

// TLS versions by the names of ssl_protocols.
var tlsVersions = map[string]uint16{
	"TLSv1": tls.VersionTLS10, "TLSv1.1": tls.VersionTLS11,
	"TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13,
}

// opensslCiphers maps the OpenSSL names of the TLS 1.2 and older suites of
// Kong's ssl_cipher_suite presets (Mozilla's intermediate and old) to
// Go's. Go has no DHE suites nor the CBC-SHA384 and AES256-SHA256 ones;
// TLS 1.3 suites are not configurable in Go.
var opensslCiphers = map[string]uint16{
	"ECDHE-ECDSA-AES128-GCM-SHA256": tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-RSA-AES128-GCM-SHA256":   tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-ECDSA-AES256-GCM-SHA384": tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-RSA-AES256-GCM-SHA384":   tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-ECDSA-CHACHA20-POLY1305": tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-RSA-CHACHA20-POLY1305":   tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-ECDSA-AES128-SHA256":     tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
	"ECDHE-RSA-AES128-SHA256":       tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
	"ECDHE-ECDSA-AES128-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	"ECDHE-RSA-AES128-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	"ECDHE-ECDSA-AES256-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	"ECDHE-RSA-AES256-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	"AES128-GCM-SHA256":             tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
	"AES256-GCM-SHA384":             tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
	"AES128-SHA256":                 tls.TLS_RSA_WITH_AES_128_CBC_SHA256,
	"AES128-SHA":                    tls.TLS_RSA_WITH_AES_128_CBC_SHA,
	"AES256-SHA":                    tls.TLS_RSA_WITH_AES_256_CBC_SHA,
	"DES-CBC3-SHA":                  tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
}

// fipsCiphers stand for the "fips" preset's OpenSSL expression
// (TLSv1.2+FIPS:kRSA+FIPS): the AES-GCM suites.
var fipsCiphers = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
}

// applySSLSettings maps ssl_protocols and the effective ssl_ciphers (which
// the configuration sets from the ssl_cipher_suite preset) to c. The
// protocols become a minimum and maximum version (Go cannot leave a gap
// between them); the OpenSSL cipher names Go implements become its
// CipherSuites, in order, the others being left out (with none left, Go's
// defaults apply; "modern" is TLS 1.3 only, whose suites Go fixes). Go
// always prefers its own order (ssl_prefer_server_ciphers is moot) and
// has no DH parameters (ssl_dhparam).
func applySSLSettings(c *tls.Config, cfg *conf.Config) error {
	for _, p := range cfg.SSLProtocols {
		v, ok := tlsVersions[p]
		if !ok {
			return fmt.Errorf("ssl_protocols: unsupported protocol %q", p)
		}
		if c.MinVersion == 0 || v < c.MinVersion {
			c.MinVersion = v
		}
		c.MaxVersion = max(c.MaxVersion, v)
	}
	if c.MinVersion == 0 {
		c.MinVersion = tls.VersionTLS12
	}
	if cfg.SSLCipherSuite == "fips" {
		c.CipherSuites = fipsCiphers
		return nil
	}
	for n := range strings.SplitSeq(cfg.SSLCiphers, ":") {
		if id, ok := opensslCiphers[strings.TrimSpace(n)]; ok {
			c.CipherSuites = append(c.CipherSuites, id)
		}
	}
	return nil
}
