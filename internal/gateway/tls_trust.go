package gateway

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// nodeTLS reads the node-wide TLS settings of the connections the gateway
// opens: the upstream directives of each proxy module (their trusted
// certificates read only when their verification is on, as nginx does),
// client_ssl_cert when client_ssl is on, and lua_ssl_trusted_certificate.
func nodeTLS(cfg *conf.Config, log *slog.Logger) (*runtime.NodeTLS, error) {
	n := &runtime.NodeTLS{Depth: cfg.LuaSSLVerifyDepth}
	var err error
	if n.Trust, err = luaTrust(cfg.LuaSSLTrustedCertificate, log); err != nil {
		return nil, err
	}
	for _, m := range []struct {
		dst  *runtime.UpstreamDefaults
		src  conf.UpstreamSSL
		name string
	}{
		{&n.HTTP, cfg.ProxySSL, "proxy_ssl_trusted_certificate"},
		{&n.GRPC, cfg.GRPCSSL, "grpc_ssl_trusted_certificate"},
		{&n.Stream, cfg.StreamProxySSL, "proxy_ssl_trusted_certificate (stream)"},
	} {
		*m.dst = runtime.UpstreamDefaults{Depth: -1}
		if !m.src.Verify {
			continue
		}
		roots := x509.NewCertPool()
		if err := appendPEM(roots, m.src.TrustedCertificate); err != nil {
			return nil, fmt.Errorf("%s: %w", m.name, err)
		}
		*m.dst = runtime.UpstreamDefaults{Verify: true, Roots: roots, Depth: m.src.VerifyDepth}
	}
	if cfg.ClientSSL {
		if cfg.ClientSSLCert == "" || cfg.ClientSSLCertKey == "" {
			return nil, fmt.Errorf("client_ssl is on: client_ssl_cert and client_ssl_cert_key must be specified")
		}
		cert, err := pemOrFile(cfg.ClientSSLCert)
		if err != nil {
			return nil, fmt.Errorf("client_ssl_cert: %w", err)
		}
		key, err := pemOrFile(cfg.ClientSSLCertKey)
		if err != nil {
			return nil, fmt.Errorf("client_ssl_cert_key: %w", err)
		}
		pair, err := tls.X509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("client_ssl_cert: %w", err)
		}
		n.ClientCert = &pair
	}
	return n, nil
}

// luaTrust is the pool of lua_ssl_trusted_certificate: the system's
// certificates for "system" (left out, as Kong does, when the system has
// none), and those of each file or PEM text; nil when the list is empty.
func luaTrust(list []string, log *slog.Logger) (*x509.CertPool, error) {
	if len(list) == 0 {
		return nil, nil
	}
	pool := x509.NewCertPool()
	if slices.Contains(list, "system") {
		sys, err := x509.SystemCertPool()
		if err != nil {
			log.Info("lua_ssl_trusted_certificate: unable to locate system bundle: " + err.Error())
		} else {
			pool = sys
		}
	}
	for _, item := range list {
		if item == "system" {
			continue
		}
		if err := appendPEM(pool, item); err != nil {
			return nil, fmt.Errorf("lua_ssl_trusted_certificate: %w", err)
		}
	}
	return pool, nil
}

// appendPEM adds the certificates of a PEM text or file to pool.
func appendPEM(pool *x509.CertPool, item string) error {
	data, err := pemOrFile(item)
	if err != nil {
		return err
	}
	if !pool.AppendCertsFromPEM(data) {
		return fmt.Errorf("no certificate in %s", item)
	}
	return nil
}

// pemOrFile returns a PEM text as is, else the content of the file it
// names.
func pemOrFile(s string) ([]byte, error) {
	if strings.Contains(s, "-----BEGIN") {
		return []byte(s), nil
	}
	return os.ReadFile(s)
}
