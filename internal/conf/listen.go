package conf

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Listener is one entry of a *_listen property, e.g.
// "0.0.0.0:8443 http2 ssl reuseport backlog=16384".
type Listener struct {
	// Host is an IP address (IPv6 without brackets), a host name, or "*".
	Host string
	Port int

	SSL           bool
	HTTP2         bool
	ProxyProtocol bool
	Deferred      bool
	Bind          bool
	ReusePort     bool
	UDP           bool   // stream_listen only
	Backlog       int    // 0 when not given
	IPv6Only      string // "on", "off" or "" when not given
	SoKeepalive   string // "on", "off", "[idle]:[interval]:[count]" or ""
}

// Addr is the address to pass to net.Listen; "*" listens on every interface.
func (l Listener) Addr() string {
	host := l.Host
	if host == "*" {
		host = ""
	}
	return net.JoinHostPort(host, strconv.Itoa(l.Port))
}

// listenFlag is one flag Kong accepts after an address, with the Lua
// pattern Kong prints in its usage message.
type listenFlag struct {
	pattern string
	match   func(token string) bool
	set     func(l *Listener, token string)
}

func exact(flag string) func(string) bool {
	return func(t string) bool { return t == flag }
}

var (
	flagSSL           = listenFlag{"ssl", exact("ssl"), func(l *Listener, _ string) { l.SSL = true }}
	flagHTTP2         = listenFlag{"http2", exact("http2"), func(l *Listener, _ string) { l.HTTP2 = true }}
	flagProxyProtocol = listenFlag{"proxy_protocol", exact("proxy_protocol"), func(l *Listener, _ string) { l.ProxyProtocol = true }}
	flagDeferred      = listenFlag{"deferred", exact("deferred"), func(l *Listener, _ string) { l.Deferred = true }}
	flagBind          = listenFlag{"bind", exact("bind"), func(l *Listener, _ string) { l.Bind = true }}
	flagReusePort     = listenFlag{"reuseport", exact("reuseport"), func(l *Listener, _ string) { l.ReusePort = true }}
	flagUDP           = listenFlag{"udp", exact("udp"), func(l *Listener, _ string) { l.UDP = true }}
	flagBacklog       = listenFlag{"backlog=%d+", isBacklog, func(l *Listener, t string) {
		l.Backlog, _ = strconv.Atoi(t[len("backlog="):])
	}}
	flagIPv6On       = listenFlag{"ipv6only=on", exact("ipv6only=on"), func(l *Listener, _ string) { l.IPv6Only = "on" }}
	flagIPv6Off      = listenFlag{"ipv6only=off", exact("ipv6only=off"), func(l *Listener, _ string) { l.IPv6Only = "off" }}
	flagKeepaliveOn  = listenFlag{"so_keepalive=on", exact("so_keepalive=on"), setKeepalive}
	flagKeepaliveOff = listenFlag{"so_keepalive=off", exact("so_keepalive=off"), setKeepalive}
	flagKeepalive    = listenFlag{"so_keepalive=%w*:%w*:%d*", isKeepalive, setKeepalive}
)

// httpFlags and streamFlags are Kong's subsystem_flags
// (kong/conf_loader/listeners.lua), in its order.
var (
	httpFlags = []listenFlag{flagSSL, flagHTTP2, flagProxyProtocol, flagDeferred, flagBind,
		flagReusePort, flagBacklog, flagIPv6On, flagIPv6Off, flagKeepaliveOn, flagKeepaliveOff, flagKeepalive}
	streamFlags = []listenFlag{flagUDP, flagSSL, flagProxyProtocol, flagBind, flagReusePort,
		flagBacklog, flagIPv6On, flagIPv6Off, flagKeepaliveOn, flagKeepaliveOff, flagKeepalive}
)

func setKeepalive(l *Listener, t string) { l.SoKeepalive = t[len("so_keepalive="):] }

// isBacklog matches "backlog=%d+".
func isBacklog(t string) bool {
	n, ok := strings.CutPrefix(t, "backlog=")
	return ok && n != "" && allBytes(n, isDigit) && len(n) <= 9
}

// isKeepalive matches "so_keepalive=%w*:%w*:%d*".
func isKeepalive(t string) bool {
	v, ok := strings.CutPrefix(t, "so_keepalive=")
	parts := strings.Split(v, ":")
	return ok && len(parts) == 3 && allBytes(parts[0], isAlnum) &&
		allBytes(parts[1], isAlnum) && allBytes(parts[2], isDigit)
}

// listenUsage is Kong's message for a malformed *_listen value.
func listenUsage(flags []listenFlag) string {
	patterns := make([]string, len(flags))
	for i, f := range flags {
		patterns[i] = f.pattern
	}
	flagsUsage := ""
	if len(flags) > 0 {
		flagsUsage = " [" + strings.Join(patterns, "] [") + "]"
	}
	return "must be of form: [off] | <ip>:<port>" + flagsUsage + ", [... next entry ...]"
}

// parseListeners parses the entries of a *_listen property. A first entry
// "off" disables the listener (whatever follows); an empty list is an error.
func parseListeners(name string, entries []string, flags []listenFlag) ([]Listener, *Error) {
	usage := newError(name, "%s %s", name, listenUsage(flags))
	if len(entries) == 0 {
		return nil, usage
	}
	if strings.Trim(entries[0], luaSpace) == "off" {
		return []Listener{}, nil
	}
	out := make([]Listener, 0, len(entries))
	for _, e := range entries {
		l, ok := parseListener(e, flags)
		if !ok {
			return nil, usage
		}
		out = append(out, l)
	}
	return out, nil
}

// parseListener parses "<address> [flag ...]"; flags may appear anywhere,
// as Kong strips them from the entry before reading the address.
func parseListener(entry string, flags []listenFlag) (Listener, bool) {
	var l Listener
	var addr []string
	seen := make([]bool, len(flags))
tokens:
	for _, tok := range strings.FieldsFunc(entry, isLuaSpace) {
		for i, f := range flags {
			if f.match(tok) {
				if !seen[i] {
					f.set(&l, tok)
					seen[i] = true
				}
				continue tokens
			}
		}
		addr = append(addr, tok)
	}
	if len(addr) != 1 {
		return Listener{}, false
	}
	host, port, ok := splitListenAddr(addr[0])
	if !ok {
		return Listener{}, false
	}
	l.Host, l.Port = host, port
	return l, true
}

// splitListenAddr reads "a.b.c.d:port", "[ipv6]:port" or "name:port",
// classifying the address as Kong's hostname_type does.
func splitListenAddr(s string) (string, int, bool) {
	switch hostType(s) {
	case "ipv6":
		rest, ok := strings.CutPrefix(s, "[")
		if !ok {
			return "", 0, false
		}
		ip, portText, ok := strings.Cut(rest, "]:")
		a, err := netip.ParseAddr(ip)
		if !ok || err != nil || !a.Is6() || a.Zone() != "" || strings.Contains(ip, ".") {
			return "", 0, false
		}
		port, ok := parsePort(portText)
		return a.String(), port, ok
	case "ipv4":
		ip, portText, ok := strings.Cut(s, ":")
		if !ok {
			return "", 0, false
		}
		norm, ok := normalizeIPv4(ip)
		if !ok {
			return "", 0, false
		}
		port, ok := parsePort(portText)
		return norm, port, ok
	default:
		i := strings.LastIndexByte(s, ':')
		if i <= 0 {
			return "", 0, false
		}
		port, ok := parsePort(s[i+1:])
		return s[:i], port, ok
	}
}

// hostType is Kong's hostname_type: more than one ':' is "ipv6", only digits
// and dots (ignoring one ':') is "ipv4", anything else "name".
func hostType(s string) string {
	switch n := strings.Count(s, ":"); {
	case n > 1:
		return "ipv6"
	case s != "" && allBytes(strings.Replace(s, ":", "", 1), func(c byte) bool { return isDigit(c) || c == '.' }):
		return "ipv4"
	default:
		return "name"
	}
}

// normalizeIPv4 accepts four dot-separated groups of one to three digits,
// each at most 255, and drops leading zeros (Kong's normalize_ipv4).
func normalizeIPv4(s string) (string, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return "", false
	}
	for i, p := range parts {
		if p == "" || len(p) > 3 || !allBytes(p, isDigit) {
			return "", false
		}
		n, _ := strconv.Atoi(p)
		if n > 255 {
			return "", false
		}
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, "."), true
}

// parsePort accepts 0 to 65535 written with digits only.
func parsePort(s string) (int, bool) {
	if s == "" || len(s) > 5 || !allBytes(s, isDigit) {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, n <= 65535
}

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isLuaSpace(r rune) bool { return strings.ContainsRune(luaSpace, r) }
