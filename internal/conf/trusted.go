package conf

import (
	"net/netip"
	"strings"
)

// TrustedIPs are the peers whose real-IP header (real_ip_header) and
// X-Forwarded-* headers are believed: the trusted_ips property.
type TrustedIPs struct {
	// Prefixes holds each entry; a single address is a full-length prefix.
	Prefixes []netip.Prefix
	// Unix is set by the entry "unix:": peers on unix sockets are trusted.
	Unix bool
}

// Contains reports whether addr is trusted.
func (t TrustedIPs) Contains(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range t.Prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// parseTrustedIPs reads trusted_ips entries: IPv4 or IPv6 addresses, CIDR
// blocks, or "unix:".
func parseTrustedIPs(entries []string) (TrustedIPs, Errors) {
	var t TrustedIPs
	var errs Errors
	for _, e := range entries {
		if e == "unix:" {
			t.Unix = true
			continue
		}
		p, ok := parseIPOrCIDR(e)
		if !ok {
			errs.add("trusted_ips", "trusted_ips must be a comma separated list in the form of IPv4 or IPv6 address or CIDR block or 'unix:', got '%s'", e)
			continue
		}
		t.Prefixes = append(t.Prefixes, p)
	}
	return t, errs
}

// parseIPOrCIDR accepts an address or a CIDR block without zone; an IPv4
// address written inside IPv6 notation is kept as Kong's inet_pton keeps it.
func parseIPOrCIDR(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "%") {
		return netip.Prefix{}, false
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p, err == nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// validResolver reports whether s is a name server address as Kong's
// normalize_ip accepts it for dns_resolver and resolver_address: IPv4
// (optionally :port), IPv6, or [IPv6] (optionally :port). Names are refused.
func validResolver(s string) bool {
	switch hostType(s) {
	case "ipv6":
		ip := s
		if rest, ok := strings.CutPrefix(s, "["); ok {
			var port string
			var found bool
			ip, port, found = strings.Cut(rest, "]")
			if !found {
				return false
			}
			if port != "" {
				if _, ok := parsePort(strings.TrimPrefix(port, ":")); !ok || port[0] != ':' {
					return false
				}
			}
		}
		a, err := netip.ParseAddr(ip)
		return err == nil && a.Is6() && a.Zone() == ""
	case "ipv4":
		ip, port, hasPort := strings.Cut(s, ":")
		if _, ok := normalizeIPv4(ip); !ok {
			return false
		}
		if hasPort {
			_, ok := parsePort(port)
			return ok
		}
		return true
	default:
		return false
	}
}
