package dns

import (
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	mdns "github.com/miekg/dns"
)

// Config is the client's settings: kong.conf's dns_* properties and what
// Kong reads from resolv.conf.
type Config struct {
	// Servers are the name servers (dns_resolver), "ip", "ip:port" or
	// "[ipv6]:port", port 53 when absent; none: those of ResolvConf.
	Servers []string
	// ResolvConf is the resolv.conf file read for name servers (when
	// Servers is empty), search domains, ndots, timeout, attempts and
	// rotate; "" means /etc/resolv.conf. A missing file is no error.
	ResolvConf string
	// HostsFile is read once by New (dns_hostsfile); "" means /etc/hosts.
	// A missing file is no error; localhost is always defined.
	HostsFile string
	// Order is dns_order: LAST, SRV, A, AAAA and CNAME in any case; none
	// means LAST,SRV,A,CNAME. Unknown entries (which conf rejects) are
	// ignored.
	Order []string
	// ValidTTL overrides the records' TTL when above 0 (dns_valid_ttl).
	ValidTTL time.Duration
	// StaleTTL is how long an expired entry is still served while it is
	// refreshed (dns_stale_ttl).
	StaleTTL time.Duration
	// NotFoundTTL is how long "name error" and empty answers are cached
	// (dns_not_found_ttl).
	NotFoundTTL time.Duration
	// ErrorTTL is how long other server errors are cached (dns_error_ttl).
	ErrorTTL time.Duration
	// CacheSize bounds the cached entries (dns_cache_size); 0 or less
	// means 10000.
	CacheSize int
	// NoSync gives every cache miss a query of its own (dns_no_sync).
	NoSync bool
	// Timeout and Attempts bound one query: each attempt asks the next
	// server and waits Timeout. 0 takes resolv.conf's options, else 2 s
	// and 5 attempts as OpenResty's resolver.
	Timeout  time.Duration
	Attempts int
	// Logger receives warnings (unreadable files); nil means
	// slog.Default().
	Logger *slog.Logger
}

// DefaultConfig is kong.conf's defaults: the system's name servers and
// hosts file, dns_order LAST,SRV,A,CNAME, stale answers for an hour, "not
// found" for 30 s, errors for 1 s, 10000 entries.
func DefaultConfig() Config {
	return Config{StaleTTL: time.Hour, NotFoundTTL: 30 * time.Second, ErrorTTL: time.Second, CacheSize: 10000}
}

const (
	defaultResolvConf = "/etc/resolv.conf"
	defaultHostsFile  = "/etc/hosts"
	defaultCacheSize  = 10000
	defaultTimeout    = 2 * time.Second // OpenResty's resolver
	defaultAttempts   = 5
)

// typeLast stands for LAST in the order: the type that last succeeded.
const typeLast = mdns.TypeNone

// defaultOrder is dns_order's default.
var defaultOrder = []uint16{typeLast, mdns.TypeSRV, mdns.TypeA, mdns.TypeCNAME}

// parseOrder returns the record types of order.
func parseOrder(order []string) []uint16 {
	var types []uint16
	for _, name := range order {
		switch strings.ToUpper(strings.TrimSpace(name)) {
		case "LAST":
			types = append(types, typeLast)
		case "SRV":
			types = append(types, mdns.TypeSRV)
		case "A":
			types = append(types, mdns.TypeA)
		case "AAAA":
			types = append(types, mdns.TypeAAAA)
		case "CNAME":
			types = append(types, mdns.TypeCNAME)
		}
	}
	if len(types) == 0 {
		return defaultOrder
	}
	return types
}

// preferred returns the address type the order names first, A or AAAA:
// the type a hosts file name with both is taken as.
func preferred(order []uint16) uint16 {
	for _, t := range order {
		if t == mdns.TypeA || t == mdns.TypeAAAA {
			return t
		}
	}
	return mdns.TypeA
}

// serverAddr returns a name server's "ip:port", port 53 when absent; ok
// is false when s is not an address.
func serverAddr(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.String(), true
	}
	ip, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return "", false
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(53)), true
}
