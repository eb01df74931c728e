package proxy

import (
	"crypto/tls"
	"errors"
	"strings"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// tlsKey sets the TLS fields of an https or grpcs service's pool key: the server
// name, verification (off unless the service's tls_verify is true, as
// Kong's proxy_ssl_verify default), its depth, the CA certificates and
// the client certificate (the service's, else its upstream entity's, as
// Kong's fallback_upstream_client_cert), as Kong's keepalive pool name
// includes them. up is the service's upstream entity, nil when none.
func tlsKey(key *poolKey, svc *entities.Service, up *runtime.Upstream, host string) {
	key.tls = true
	key.sni = serverName(host)
	key.verify = svc.TLSVerify != nil && *svc.TLSVerify
	key.depth = -1
	if svc.TLSVerifyDepth != nil {
		key.depth = *svc.TLSVerifyDepth
	}
	key.cas = strings.Join(svc.CACertificates, ",")
	key.clientCert = svc.ClientCertID
	if key.clientCert == "" && up != nil {
		key.clientCert = up.ClientCertID
	}
}

// The protocols offered by ALPN to upstreams: nginx's proxy module speaks
// HTTP/1.1, its grpc module HTTP/2.
var (
	alpnHTTP1 = []string{"http/1.1"}
	alpnH2    = []string{"h2"}
)

// errUpstreamTLS is a service's TLS setting that names a missing or
// unusable certificate. It never quotes key material.
var errUpstreamTLS = errors.New("upstream TLS settings")

// clientTLS is the client configuration for a new connection with key's
// TLS settings. Verification uses the service's ca_certificates when it
// names some, else the system roots; tls_verify_depth bounds the verified
// chain as OpenSSL's verify depth does (depth N allows N certificates
// between the peer and the trust anchor).
func (t *transport) clientTLS(snap *runtime.Snapshot, key poolKey) (*tls.Config, error) {
	c := &tls.Config{
		ServerName:         key.sni,
		InsecureSkipVerify: !key.verify,
		NextProtos:         alpnHTTP1,
	}
	if key.h2 {
		c.NextProtos = alpnH2
	}
	var certs *runtime.TLS
	if snap != nil {
		certs = snap.TLS
		t.certs.Prune(snap)
	}
	if key.clientCert != "" {
		var ent *entities.Certificate
		if certs != nil {
			ent = certs.Certificates[key.clientCert]
		}
		if ent == nil {
			return nil, errors.Join(errUpstreamTLS, errors.New("client certificate "+key.clientCert+" not found"))
		}
		pairs, err := t.certs.Pairs(ent)
		if err != nil {
			return nil, errors.Join(errUpstreamTLS, err)
		}
		c.Certificates = pairs
	}
	if !key.verify {
		return c, nil
	}
	if key.cas != "" {
		if certs == nil {
			return nil, errors.Join(errUpstreamTLS, errors.New("no CA certificates"))
		}
		pool, err := t.certs.Pool(certs, strings.Split(key.cas, ","))
		if err != nil {
			return nil, errors.Join(errUpstreamTLS, err)
		}
		c.RootCAs = pool
	}
	if depth := key.depth; depth >= 0 {
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
