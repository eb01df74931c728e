package runtime

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strconv"
	"strings"

	"github.com/silverback-gw/silverback/internal/entities"
)

// UpstreamTLS is how the gateway speaks TLS to a service's upstream: the
// server name it sends, whether and how deep it verifies the upstream's
// certificate, the CA certificates it trusts and the client certificate
// it presents. It is comparable: the HTTP proxy keys its connection pools
// with it, as Kong's keepalive pool name includes these settings.
type UpstreamTLS struct {
	// ServerName is sent as SNI (Go sends none for an IP address) and
	// matched against the upstream's certificate when verifying.
	ServerName string
	// Verify is the service's tls_verify; unset, the node's default
	// (nginx's proxy_ssl_verify, off) applies.
	Verify Toggle
	// Depth is tls_verify_depth, -1 when unset.
	Depth int
	// CAs are the service's ca_certificates ids joined by ","; "" for
	// the node's trust store (nginx's proxy_ssl_trusted_certificate).
	CAs string
	// ClientCert is the service's client_certificate id, else its
	// upstream entity's (Kong's fallback_upstream_client_cert); "" for
	// the node's client_ssl_cert, if any.
	ClientCert string
	// Module is the nginx module whose directives hold the node's
	// defaults for the service's protocol.
	Module Module
}

// Toggle is a boolean setting that may be unset.
type Toggle uint8

// The values of a Toggle.
const (
	Unset Toggle = iota
	On
	Off
)

// NewUpstreamTLS returns the TLS settings of a connection to svc's
// upstream sent serverName. up is the service's upstream entity, nil
// when none.
func NewUpstreamTLS(svc *entities.Service, up *Upstream, serverName string) UpstreamTLS {
	u := UpstreamTLS{
		ServerName: serverName,
		Depth:      -1,
		CAs:        strings.Join(svc.CACertificates, ","),
		ClientCert: svc.ClientCertID,
	}
	switch {
	case svc.TLSVerify == nil:
	case *svc.TLSVerify:
		u.Verify = On
	default:
		u.Verify = Off
	}
	switch svc.Protocol {
	case "grpcs":
		u.Module = ModuleGRPC
	case "tls":
		u.Module = ModuleStream
	}
	if svc.TLSVerifyDepth != nil {
		u.Depth = *svc.TLSVerifyDepth
	}
	if u.ClientCert == "" && up != nil {
		u.ClientCert = up.ClientCertID
	}
	return u
}

// ErrUpstreamTLS is a service's TLS setting that names a missing or
// unusable certificate. It never quotes key material.
var ErrUpstreamTLS = errors.New("upstream TLS settings")

// ClientConfig is the client configuration for a new connection with u's
// settings, its certificates taken from snap and parsed once through cc,
// its defaults from snap's NodeTLS, as Kong applies a service's settings
// over nginx's proxy_ssl_* directives:
//
//   - the client certificate is the service's, else its upstream
//     entity's, else the node's client_ssl_cert;
//   - verification is tls_verify, else the module's proxy_ssl_verify;
//   - the trust store is ca_certificates, else the module's
//     proxy_ssl_trusted_certificate (nothing trusted when unset: nginx
//     never uses the system store, nor lua_ssl_trusted_certificate);
//   - the depth is tls_verify_depth, else the module's
//     proxy_ssl_verify_depth.
//
// A verified handshake fails with nginx's log messages, "upstream SSL
// certificate verify error: (20:unable to get local issuer certificate)"
// or `upstream SSL certificate does not match "name"`. Errors wrap
// ErrUpstreamTLS.
func (cc *CertCache) ClientConfig(snap *Snapshot, u UpstreamTLS) (*tls.Config, error) {
	c := &tls.Config{ServerName: u.ServerName, InsecureSkipVerify: true} //nolint:gosec // verified by VerifyConnection
	var certs *TLS
	var node *NodeTLS
	if snap != nil {
		certs, node = snap.TLS, snap.Node
		cc.Prune(snap)
	}
	switch {
	case u.ClientCert != "":
		var ent *entities.Certificate
		if certs != nil {
			ent = certs.Certificates[u.ClientCert]
		}
		if ent == nil {
			return nil, errors.Join(ErrUpstreamTLS, errors.New("client certificate "+u.ClientCert+" not found"))
		}
		pairs, err := cc.Pairs(ent)
		if err != nil {
			return nil, errors.Join(ErrUpstreamTLS, err)
		}
		c.Certificates = pairs
	case node.clientCert() != nil:
		c.Certificates = []tls.Certificate{*node.clientCert()}
	}
	def := node.upstream(u.Module)
	if u.Verify == Off || u.Verify == Unset && !def.Verify {
		return c, nil
	}
	roots, depth := def.Roots, def.Depth
	if u.CAs != "" {
		if certs == nil {
			return nil, errors.Join(ErrUpstreamTLS, errors.New("no CA certificates"))
		}
		pool, err := cc.Pool(certs, strings.Split(u.CAs, ","))
		if err != nil {
			return nil, errors.Join(ErrUpstreamTLS, err)
		}
		roots = pool
	}
	if u.Depth >= 0 {
		depth = u.Depth
	}
	c.VerifyConnection = upstreamVerifier(roots, depth, u.ServerName)
	return c, nil
}

// upstreamVerifier verifies an upstream's certificate as nginx does after
// its handshake: the chain first, then the name.
func upstreamVerifier(roots *x509.CertPool, depth int, name string) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if ce := VerifyChain(cs.PeerCertificates, roots, depth); ce != nil {
			return errors.New("upstream SSL certificate verify error: (" + strconv.Itoa(ce.Code) + ":" + ce.Reason + ")")
		}
		if name != "" && cs.PeerCertificates[0].VerifyHostname(name) != nil {
			return errors.New(`upstream SSL certificate does not match "` + name + `"`)
		}
		return nil
	}
}
