package conf

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseListeners(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		entries []string
		stream  bool
		want    []Listener // nil: usage error
	}{
		{"ipv4", []string{"0.0.0.0:8000"}, false, []Listener{{Host: "0.0.0.0", Port: 8000}}},
		{"leading zeros dropped", []string{"001.002.003.004:80"}, false, []Listener{{Host: "1.2.3.4", Port: 80}}},
		{"ipv6", []string{"[::1]:8001"}, false, []Listener{{Host: "::1", Port: 8001}}},
		{"ipv6 expanded form", []string{"[0000:0000:0000:0000:0000:0000:0000:0001]:8001"}, false, []Listener{{Host: "::1", Port: 8001}}},
		{"name", []string{"localhost:8000"}, false, []Listener{{Host: "localhost", Port: 8000}}},
		{"name containing ssl", []string{"ssl.myname.test:8000"}, false, []Listener{{Host: "ssl.myname.test", Port: 8000}}},
		{"name containing off", []string{"offshore.test:9000"}, false, []Listener{{Host: "offshore.test", Port: 9000}}},
		{"wildcard", []string{"*:80"}, false, []Listener{{Host: "*", Port: 80}}},
		{"every http flag", []string{"0.0.0.0:8443 ssl http2 proxy_protocol deferred bind reuseport backlog=511 ipv6only=off so_keepalive=on"}, false,
			[]Listener{{Host: "0.0.0.0", Port: 8443, SSL: true, HTTP2: true, ProxyProtocol: true, Deferred: true,
				Bind: true, ReusePort: true, Backlog: 511, IPv6Only: "off", SoKeepalive: "on"}}},
		{"keepalive triple", []string{"0.0.0.0:80 so_keepalive=30m:10s:3"}, false, []Listener{{Host: "0.0.0.0", Port: 80, SoKeepalive: "30m:10s:3"}}},
		{"keepalive empty parts", []string{"0.0.0.0:80 so_keepalive=::"}, false, []Listener{{Host: "0.0.0.0", Port: 80, SoKeepalive: "::"}}},
		{"flags before the address", []string{"ssl 0.0.0.0:443"}, false, []Listener{{Host: "0.0.0.0", Port: 443, SSL: true}}},
		{"tabs", []string{"0.0.0.0:80\tssl"}, false, []Listener{{Host: "0.0.0.0", Port: 80, SSL: true}}},
		{"several", []string{"127.0.0.1:1", "[::]:2 ssl"}, false, []Listener{{Host: "127.0.0.1", Port: 1}, {Host: "::", Port: 2, SSL: true}}},
		{"off", []string{"off"}, false, []Listener{}},
		{"off first disables all", []string{"off", "0.0.0.0:9000"}, false, []Listener{}},
		{"stream udp", []string{"0.0.0.0:53 udp reuseport"}, true, []Listener{{Host: "0.0.0.0", Port: 53, UDP: true, ReusePort: true}}},
		{"port 0", []string{"127.0.0.1:0"}, false, []Listener{{Host: "127.0.0.1", Port: 0}}},
		{"port 65535", []string{"127.0.0.1:65535"}, false, []Listener{{Host: "127.0.0.1", Port: 65535}}},

		{"empty list", []string{}, false, nil},
		{"empty entry", []string{""}, false, nil},
		{"off later is an address", []string{"0.0.0.0:80", "off"}, false, nil},
		{"no port", []string{"127.0.0.1"}, false, nil},
		{"port too big", []string{"127.0.0.1:65536"}, false, nil},
		{"signed port", []string{"127.0.0.1:+80"}, false, nil},
		{"bad ipv4", []string{"256.0.0.1:80"}, false, nil},
		{"short ipv4", []string{"1.2.3:80"}, false, nil},
		{"ipv6 without brackets", []string{"::1:8000"}, false, nil},
		{"ipv6 without port", []string{"[::1]"}, false, nil},
		{"ipv6 zone", []string{"[fe80::1%eth0]:80"}, false, nil},
		{"ipv6 with dotted quad", []string{"[::ffff:1.2.3.4]:80"}, false, nil},
		{"bad ipv6", []string{"[::g]:80"}, false, nil},
		{"unknown flag", []string{"0.0.0.0:80 fast"}, false, nil},
		{"two addresses", []string{"0.0.0.0:80 0.0.0.0:81"}, false, nil},
		{"backlog without number", []string{"0.0.0.0:80 backlog="}, false, nil},
		{"backlog with letters", []string{"0.0.0.0:80 backlog=1k"}, false, nil},
		{"ipv6only bad", []string{"0.0.0.0:80 ipv6only=yes"}, false, nil},
		{"keepalive bad", []string{"0.0.0.0:80 so_keepalive=1:2:x"}, false, nil},
		{"http2 is not a stream flag", []string{"0.0.0.0:80 http2"}, true, nil},
		{"udp is not an http flag", []string{"0.0.0.0:80 udp"}, false, nil},
		{"name without port", []string{"localhost"}, false, nil},
		{"empty name", []string{":80"}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			flags := httpFlags
			if tt.stream {
				flags = streamFlags
			}
			got, err := parseListeners("proxy_listen", tt.entries, flags)
			if tt.want == nil {
				if err == nil {
					t.Fatalf("parseListeners(%q) = %+v, want a usage error", tt.entries, got)
				}
				if err.Property != "proxy_listen" {
					t.Errorf("error names %q, want proxy_listen", err.Property)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseListeners(%q): %v", tt.entries, err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("parseListeners(%q) mismatch (-want +got):\n%s", tt.entries, diff)
			}
		})
	}
}

func TestListenerAddr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		l    Listener
		want string
	}{
		{Listener{Host: "0.0.0.0", Port: 8000}, "0.0.0.0:8000"},
		{Listener{Host: "::1", Port: 8001}, "[::1]:8001"},
		{Listener{Host: "localhost", Port: 80}, "localhost:80"},
		{Listener{Host: "*", Port: 80}, ":80"},
	}
	for _, tt := range tests {
		if got := tt.l.Addr(); got != tt.want {
			t.Errorf("%+v.Addr() = %q, want %q", tt.l, got, tt.want)
		}
	}
}

// TestStreamHalfClose: the injected nginx_sproxy_proxy_half_close
// directive turns half-closed stream sessions on; Kong leaves it off.
func TestStreamHalfClose(t *testing.T) {
	t.Parallel()
	if mustLoad(t, nil).StreamHalfClose {
		t.Error("half-close on by default")
	}
	if !mustLoad(t, map[string]string{"nginx_sproxy_proxy_half_close": "on"}).StreamHalfClose {
		t.Error("nginx_sproxy_proxy_half_close = on not read")
	}
}
