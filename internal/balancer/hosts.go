package balancer

import (
	"context"
	"net/netip"

	"github.com/silverback-gw/silverback/internal/dns"
)

// Hosts resolves the host names of services that do not name an upstream
// entity, Kong's toip: through the DNS client (its cache, dns_order,
// hosts file), the addresses of an A or AAAA answer in turn, an SRV
// answer's records by weight with their port. Its methods are safe for
// concurrent use.
type Hosts struct {
	dns *dns.Client
}

// NewHosts returns the resolver of service hosts using c (nil: a client
// with kong.conf's defaults).
func NewHosts(c *dns.Client) *Hosts {
	if c == nil {
		c = dns.New(dns.DefaultConfig())
	}
	return &Hosts{dns: c}
}

// errNameNotFound is Kong's message for a name without records: NXDOMAIN
// or empty answers for every type tried.
const errNameNotFound = "name resolution failed"

// toIP returns the address of a try for host and port; a retry
// (cacheOnly) sends no query.
func (h *Hosts) toIP(ctx context.Context, host string, port int, cacheOnly bool) (netip.AddrPort, error) {
	return h.dns.ToIP(ctx, host, uint16(port), cacheOnly)
}
