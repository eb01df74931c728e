package proxy

import (
	"net/netip"
	"strings"
)

// trustedIPs are the peers whose forwarding headers are believed
// (trusted_ips).
type trustedIPs []netip.Prefix

func (t trustedIPs) contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// realIP computes the client address the way nginx's realip module does
// with set_real_ip_from = trusted and real_ip_header's values: when the
// peer is trusted, the address is taken from the right end of the header;
// with recursive, addresses are walked right to left while the current
// one is trusted. A value that is not an address stops the walk, keeping
// what was found so far. ok reports whether the address changed.
//
// Only the last header line is read unless recursive (then the lines are
// walked last to first), as ngx_http_get_forwarded_addr does.
func realIP(peer netip.Addr, values []string, trusted trustedIPs, recursive bool) (addr netip.Addr, ok bool) {
	addr = peer
	for i := len(values) - 1; i >= 0; i-- {
		v := values[i]
		for {
			if !trusted.contains(addr) {
				return addr, ok
			}
			v = strings.TrimRight(v, " ,")
			if v == "" {
				break
			}
			tok := v
			if j := strings.LastIndexAny(v, " ,"); j >= 0 {
				tok, v = v[j+1:], v[:j]
			} else {
				v = ""
			}
			a, valid := parseAddrMaybePort(tok)
			if !valid {
				return addr, ok
			}
			addr, ok = a, true
			if !recursive {
				return addr, ok
			}
		}
		if !recursive {
			break
		}
	}
	return addr, ok
}

// parseAddrMaybePort parses "ip", "ip:port", "[ipv6]" or "[ipv6]:port"
// (nginx's ngx_parse_addr_port).
func parseAddrMaybePort(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone(""), true
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil {
			return a.WithZone(""), true
		}
	}
	return netip.Addr{}, false
}
