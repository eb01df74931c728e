package proxy

import (
	"crypto/tls"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// tlsKey sets the TLS fields of an https or grpcs service's pool key: the
// server name, verification, CA certificates and client certificate of
// runtime.NewUpstreamTLS, as Kong's keepalive pool name includes them.
// up is the service's upstream entity, nil when none.
func tlsKey(key *poolKey, svc *entities.Service, up *runtime.Upstream, host string) {
	key.tls = true
	key.settings = runtime.NewUpstreamTLS(svc, up, serverName(host))
}

// The protocols offered by ALPN to upstreams: nginx's proxy module speaks
// HTTP/1.1, its grpc module HTTP/2.
var (
	alpnHTTP1 = []string{"http/1.1"}
	alpnH2    = []string{"h2"}
)

// clientTLS is the client configuration for a new connection with key's
// TLS settings, offering HTTP/1.1 by ALPN, or HTTP/2 for a grpcs pool.
func (t *transport) clientTLS(snap *runtime.Snapshot, key poolKey) (*tls.Config, error) {
	c, err := t.certs.ClientConfig(snap, key.settings)
	if err != nil {
		return nil, err
	}
	c.NextProtos = alpnHTTP1
	if key.h2 {
		c.NextProtos = alpnH2
	}
	return c, nil
}
