package router

import "strings"

// matchOp is how a host or SNI value is compared (the ATC operator Kong
// generates for it).
type matchOp uint8

const (
	opEqual  matchOp = iota // "a.com":  ==
	opSuffix                // "*.a.com": =^ ".a.com"
	opPrefix                // "a.*":    ^= "a."
)

// nameMatcher matches a host (or an SNI) by exact value, suffix or prefix,
// and optionally the destination port.
type nameMatcher struct {
	op    matchOp
	value string
	port  int // 0: any port
}

func (m *nameMatcher) matchName(name string) bool {
	switch m.op {
	case opSuffix:
		return strings.HasSuffix(name, m.value)
	case opPrefix:
		return strings.HasPrefix(name, m.value)
	}
	return name == m.value
}

// splitHostPort splits "host:port" at the first colon when what follows is a
// port number; otherwise the whole value is the host (so "[::1]:80", whose
// first colon is inside the brackets, stays whole, as in Kong's
// split_host_port).
func splitHostPort(hostport string) (host string, port int, ok bool) {
	i := strings.IndexByte(hostport, ':')
	if i < 0 {
		return hostport, 0, false
	}
	port, ok = parsePort(hostport[i+1:])
	if !ok {
		return hostport, 0, false
	}
	return hostport[:i], port, true
}

// parsePort reads a decimal number of at most 9 digits (Kong's tonumber,
// restricted to what a port can look like).
func parsePort(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// compileHost turns a route hosts element into its matcher (transform.lua:
// split the port first, then a leading "*" means suffix, a trailing one prefix).
func compileHost(h string) nameMatcher {
	host, port, _ := splitHostPort(h)
	switch {
	case strings.HasPrefix(host, "*"):
		return nameMatcher{op: opSuffix, value: host[1:], port: port}
	case strings.HasSuffix(host, "*"):
		return nameMatcher{op: opPrefix, value: host[:len(host)-1], port: port}
	}
	return nameMatcher{op: opEqual, value: host, port: port}
}

// compileSNI turns a route snis element into its matcher. The trailing dot
// of a fully qualified name is not used for routing.
func compileSNI(sni string) nameMatcher {
	op := opEqual
	switch {
	case strings.HasPrefix(sni, "*"):
		op = opSuffix
	case strings.HasSuffix(sni, "*"):
		return nameMatcher{op: opPrefix, value: sni[:len(sni)-1]}
	}
	if len(sni) > 1 && strings.HasSuffix(sni, ".") {
		sni = sni[:len(sni)-1]
	}
	if op == opSuffix {
		sni = sni[1:]
	}
	return nameMatcher{op: op, value: sni}
}
