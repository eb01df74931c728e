package gateway

import (
	"log/slog"

	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/dns"
)

// dnsClient returns the DNS client of cfg's dns_* settings, which the
// HTTP and stream proxies and the balancers share (one cache, as Kong's
// worker has).
func dnsClient(cfg *conf.Config, log *slog.Logger) *dns.Client {
	d := cfg.DNS
	return dns.New(dns.Config{
		Servers: d.Resolver, HostsFile: d.Hostsfile, Order: d.Order,
		ValidTTL: d.ValidTTL, StaleTTL: d.StaleTTL, NotFoundTTL: d.NotFoundTTL, ErrorTTL: d.ErrorTTL,
		CacheSize: d.CacheSize, NoSync: d.NoSync, Logger: log,
	})
}
