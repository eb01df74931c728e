package runtime

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
)

// NodeTLS is the node-wide TLS configuration of the connections the
// gateway opens, from kong.conf. It is built once at start and never
// modified; every snapshot of a holder shares it (Snapshot.Node). A nil
// NodeTLS is Kong's defaults with nothing trusted.
type NodeTLS struct {
	// HTTP, GRPC and Stream are the nginx directives that hold, for the
	// https, grpcs and tls services respectively, the defaults of a
	// service's tls_verify, ca_certificates and tls_verify_depth
	// (proxy_ssl_*, grpc_ssl_*, and the stream proxy's proxy_ssl_*).
	HTTP, GRPC, Stream UpstreamDefaults
	// ClientCert is client_ssl_cert and client_ssl_cert_key when
	// client_ssl is on, nil otherwise: presented to an upstream when
	// neither the service nor its upstream entity names a certificate.
	ClientCert *tls.Certificate
	// Trust is lua_ssl_trusted_certificate: the certificates trusted by
	// the connections Kong opens from Lua (active health checks, plugins
	// such as ldap-auth); nil trusts nothing. Depth is
	// lua_ssl_verify_depth.
	Trust *x509.CertPool
	Depth int
}

// UpstreamDefaults are one nginx module's upstream TLS directives.
type UpstreamDefaults struct {
	// Verify is proxy_ssl_verify: whether a service with tls_verify
	// unset verifies its upstream (off in Kong).
	Verify bool
	// Roots is proxy_ssl_trusted_certificate, the trust store of a
	// service without ca_certificates. nginx loads it, and
	// proxy_ssl_verify_depth, only when proxy_ssl_verify is on: nil (no
	// certificate trusted) otherwise.
	Roots *x509.CertPool
	// Depth is proxy_ssl_verify_depth, the depth of a service without
	// tls_verify_depth: 1 by default when Verify is on; -1 (OpenSSL's
	// default, no practical limit) when it is off.
	Depth int
}

// Module names the nginx module that proxies a service, whose directives
// hold its TLS defaults.
type Module uint8

// The modules.
const (
	ModuleHTTP   Module = iota // https services: the proxy module
	ModuleGRPC                 // grpcs services: the grpc module
	ModuleStream               // tls services: the stream proxy module
)

// upstream returns the defaults of m; a nil n has Kong's.
func (n *NodeTLS) upstream(m Module) UpstreamDefaults {
	switch {
	case n == nil:
		return UpstreamDefaults{Depth: -1}
	case m == ModuleGRPC:
		return n.GRPC
	case m == ModuleStream:
		return n.Stream
	}
	return n.HTTP
}

// clientCert returns the node's client certificate, nil for none.
func (n *NodeTLS) clientCert() *tls.Certificate {
	if n == nil {
		return nil
	}
	return n.ClientCert
}

// errHostMismatch is OpenResty's error for a peer whose certificate does
// not match the server name.
var errHostMismatch = errors.New("certificate host mismatch")

// CosocketConfig is the client configuration of a TLS connection opened
// as Kong's Lua code opens one (tcpsock:sslhandshake): serverName is sent
// as SNI; when verify is set the peer's chain is verified against Trust
// within Depth, then its certificate matched against serverName unless it
// is "". cert, when not nil, is presented as the client certificate.
// The handshake fails with OpenResty's errors: a *CertificateError
// ("20: unable to get local issuer certificate") or "certificate host
// mismatch". A nil n trusts nothing.
func (n *NodeTLS) CosocketConfig(serverName string, verify bool, cert *tls.Certificate) *tls.Config {
	c := &tls.Config{ServerName: serverName, InsecureSkipVerify: true} //nolint:gosec // verified by VerifyConnection
	if cert != nil {
		c.Certificates = []tls.Certificate{*cert}
	}
	if !verify {
		return c
	}
	// without node settings, Kong's defaults: lua_ssl_trusted_certificate
	// "system" and lua_ssl_verify_depth 1
	roots, _ := x509.SystemCertPool()
	depth := 1
	if n != nil {
		roots, depth = n.Trust, n.Depth
	}
	c.VerifyConnection = func(cs tls.ConnectionState) error {
		if ce := VerifyChain(cs.PeerCertificates, roots, depth); ce != nil {
			return ce
		}
		if serverName != "" && cs.PeerCertificates[0].VerifyHostname(serverName) != nil {
			return errHostMismatch
		}
		return nil
	}
	return c
}
