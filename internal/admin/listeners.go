package admin

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// listenerProps are the *_listen properties Kong's conf_loader parses into
// *_listeners lists (kong/conf_loader/listeners.lua, listeners.parse), with
// their accepted flags and the *_ssl_enabled property each one sets.
var listenerProps = []struct {
	name    string
	flags   []string
	sslFlag string
}{
	{"proxy_listen", httpListenFlags, "proxy_ssl_enabled"},
	{"stream_listen", streamListenFlags, "stream_proxy_ssl_enabled"},
	{"admin_listen", httpListenFlags, "admin_ssl_enabled"},
	{"admin_gui_listen", httpListenFlags, "admin_gui_ssl_enabled"},
	{"status_listen", httpListenFlags, "status_ssl_enabled"},
	{"cluster_listen", httpListenFlags, ""},
}

var (
	httpListenFlags   = []string{"ssl", "http2", "proxy_protocol", "deferred", "bind", "reuseport", "backlog=%d+"}
	streamListenFlags = []string{"udp", "ssl", "proxy_protocol", "bind", "reuseport", "backlog=%d+"}
	backlogFlag       = regexp.MustCompile(`\sbacklog=\d+\s`)
	hostPort          = regexp.MustCompile(`^(.+):(\d+)$`)
)

// addListeners fills in the parsed listener lists GET / shows in Kong
// (configuration.proxy_listeners and the like: go-kong's Listeners reads
// them) from the *_listen properties, unless already present.
func addListeners(cfg map[string]any) {
	for _, p := range listenerProps {
		plural := p.name + "ers"
		if _, ok := cfg[plural]; ok {
			continue
		}
		values, ok := listenValues(cfg[p.name])
		if !ok {
			continue
		}
		list := parseListeners(values, p.flags)
		cfg[plural] = list
		if p.sslFlag != "" {
			if _, ok := cfg[p.sslFlag]; !ok {
				ssl := false
				for _, l := range list {
					ssl = ssl || l.(map[string]any)["ssl"] == true
				}
				cfg[p.sslFlag] = ssl
			}
		}
	}
}

func listenValues(v any) ([]string, bool) {
	switch x := v.(type) {
	case []string:
		return x, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	case string:
		parts := strings.Split(x, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts, true
	}
	return nil, false
}

// parseListeners is Kong's parse_listeners: each entry becomes {listener,
// ip, port, <flag>: bool...}; "off" first gives an empty list; entries
// without a port are left out (Kong refuses them at startup).
func parseListeners(values []string, flags []string) []any {
	list := []any{}
	if len(values) == 0 || strings.TrimSpace(values[0]) == "off" {
		return list
	}
	for _, entry := range values {
		value := " " + entry + " "
		l := map[string]any{}
		var cleaned []string
		for _, flag := range flags {
			key := flag
			found := false
			if flag == "backlog=%d+" {
				if m := backlogFlag.FindString(value); m != "" {
					key, found = strings.TrimSpace(m), true
					value = backlogFlag.ReplaceAllString(value, "  ")
				}
			} else if strings.Contains(value, " "+flag+" ") {
				found = true
				value = strings.ReplaceAll(value, " "+flag+" ", "  ")
			}
			l[key] = found
			if found {
				cleaned = append(cleaned, key)
			}
		}
		host, port, ok := splitListen(strings.TrimSpace(value))
		if !ok {
			continue
		}
		l["ip"], l["port"] = host, port
		l["listener"] = host + ":" + strconv.Itoa(port)
		if len(cleaned) > 0 {
			l["listener"] = l["listener"].(string) + " " + strings.Join(cleaned, " ")
		}
		list = append(list, l)
	}
	return list
}

// splitListen splits "ip:port", "[ipv6]:port" or "name:port"; IPv6 hosts
// keep their brackets as Kong's.
func splitListen(s string) (string, int, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		host := ap.Addr().String()
		if ap.Addr().Is6() {
			host = "[" + host + "]"
		}
		return host, int(ap.Port()), true
	}
	m := hostPort.FindStringSubmatch(s)
	if m == nil {
		return "", 0, false
	}
	port, err := strconv.Atoi(m[2])
	if err != nil || port > 65535 {
		return "", 0, false
	}
	return m[1], port, true
}
