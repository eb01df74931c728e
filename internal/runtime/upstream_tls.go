package runtime

import (
	"crypto/tls"
	"errors"
	"strings"

	"github.com/silverback-gw/silverback/internal/entities"
)

// UpstreamTLS is how the gateway speaks TLS to a service's upstream: the
// server name it sends, whether and how deep it verifies the upstream's
// certificate, the CA certificates it trusts and the client certificate
// it presents. It is comparable: the HTTP proxy keys its connection pools
// with it, as Kong's keepalive pool name includes these settings.
type UpstreamTLS struct {
	// ServerName is sent as SNI (Go sends none for an IP address).
	ServerName string
	// Verify checks the upstream's certificate: the service's tls_verify,
	// off when unset as Kong's proxy_ssl_verify default.
	Verify bool
	// Depth is tls_verify_depth, -1 when unset.
	Depth int
	// CAs are the service's ca_certificates ids joined by ","; "" trusts
	// the system roots.
	CAs string
	// ClientCert is the service's client_certificate id, else its
	// upstream entity's (Kong's fallback_upstream_client_cert); "" for none.
	ClientCert string
}

// NewUpstreamTLS returns the TLS settings of a connection to svc's
// upstream sent serverName. up is the service's upstream entity, nil
// when none.
func NewUpstreamTLS(svc *entities.Service, up *Upstream, serverName string) UpstreamTLS {
	u := UpstreamTLS{
		ServerName: serverName,
		Verify:     svc.TLSVerify != nil && *svc.TLSVerify,
		Depth:      -1,
		CAs:        strings.Join(svc.CACertificates, ","),
		ClientCert: svc.ClientCertID,
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
// settings, its certificates taken from snap and parsed once through cc.
// Verification uses the CA certificates u names when it names some, else
// the system roots; the depth bounds the verified chain as OpenSSL's
// verify depth does (depth N allows N certificates between the peer and
// the trust anchor). Errors wrap ErrUpstreamTLS.
func (cc *CertCache) ClientConfig(snap *Snapshot, u UpstreamTLS) (*tls.Config, error) {
	c := &tls.Config{ServerName: u.ServerName, InsecureSkipVerify: !u.Verify}
	var certs *TLS
	if snap != nil {
		certs = snap.TLS
		cc.Prune(snap)
	}
	if u.ClientCert != "" {
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
	}
	if !u.Verify {
		return c, nil
	}
	if u.CAs != "" {
		if certs == nil {
			return nil, errors.Join(ErrUpstreamTLS, errors.New("no CA certificates"))
		}
		pool, err := cc.Pool(certs, strings.Split(u.CAs, ","))
		if err != nil {
			return nil, errors.Join(ErrUpstreamTLS, err)
		}
		c.RootCAs = pool
	}
	if depth := u.Depth; depth >= 0 {
		c.VerifyConnection = func(cs tls.ConnectionState) error {
			for _, chain := range cs.VerifiedChains {
				if len(chain) <= depth+2 {
					return nil
				}
			}
			return errors.New("certificate chain too long for tls_verify_depth")
		}
	}
	return c, nil
}
