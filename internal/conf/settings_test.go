package conf

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPropertyMasking(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, map[string]string{
		"pg_password": "hide_me", "pg_ro_password": "hide_me_too", "proxy_server": "http://u:p@proxy.test",
		"declarative_config_string": "{}", "pg_user": "shown",
	})
	tests := []struct {
		key    string
		want   any
		wantOK bool
	}{
		{"pg_password", Masked, true},
		{"pg_ro_password", Masked, true},
		{"proxy_server", Masked, true},
		{"declarative_config_string", Masked, true},
		{"ssl_cert_key", Masked, true}, // an empty list is still set, as in Kong
		{"admin_ssl_cert_key", Masked, true},
		{"admin_gui_ssl_cert_key", Masked, true},
		{"status_ssl_cert_key", Masked, true},
		{"cluster_cert_key", nil, false}, // unset: no placeholder
		{"client_ssl_cert_key", nil, false},
		{"pg_user", "shown", true},
		{"pg_port", float64(5432), true},
		{"anonymous_reports", true, true},
		{"real_ip_recursive", "off", true},
		{"plugins", []string{"bundled"}, true},
		{"ssl_cert", []string{}, true},
		{"pg_schema", nil, false},
		{"no_such_property", nil, false},
	}
	for _, tt := range tests {
		got, ok := c.Property(tt.key)
		if ok != tt.wantOK || !cmp.Equal(got, tt.want) {
			t.Errorf("Property(%q) = %#v, %v; want %#v, %v", tt.key, got, ok, tt.want, tt.wantOK)
		}
	}
	if c.PG.Password != "hide_me" {
		t.Errorf("typed PG.Password = %q, want the real value", c.PG.Password)
	}
	for _, p := range Properties() {
		if p.Sensitive && !strings.Contains("pg_password pg_ro_password proxy_server declarative_config_string cluster_cert_key "+
			"ssl_cert_key client_ssl_cert_key admin_ssl_cert_key admin_gui_ssl_cert_key status_ssl_cert_key", p.Name) {
			t.Errorf("%s is sensitive but Kong does not mask it", p.Name)
		}
	}
}

func TestPropertyReturnsCopies(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, nil)
	v, _ := c.Property("plugins")
	v.([]string)[0] = "changed"
	if again, _ := c.Property("plugins"); again.([]string)[0] != "bundled" {
		t.Errorf("changing a returned list changed the configuration")
	}
}

func TestSettingsJSON(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, map[string]string{"pg_password": "x", "nginx_http_gzip": "on"})
	s := c.Settings()
	for i := 1; i < len(s); i++ {
		if s[i-1].Name >= s[i].Name {
			t.Fatalf("settings not sorted: %q before %q", s[i-1].Name, s[i].Name)
		}
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), `{"_debug_pg_ttl_cleanup_interval":300,"admin_access_log":"logs/admin_access.log",`) {
		t.Errorf("JSON starts %.120s", b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"pg_password": Masked, "nginx_http_gzip": "on", "database": "sqlite", "pg_port": float64(5432),
		"pg_ssl": false, "db_cache_warmup_entities": []any{"services"}, "prefix": "/usr/local/kong",
	}
	for k, v := range want {
		if !cmp.Equal(m[k], v) {
			t.Errorf("configuration[%q] = %#v, want %#v", k, m[k], v)
		}
	}
	if _, ok := m["pg_schema"]; ok {
		t.Errorf("unset pg_schema is present")
	}
	if len(m) != len(s) {
		t.Errorf("JSON has %d keys, settings %d", len(m), len(s))
	}
}

func TestLoadedPlugins(t *testing.T) {
	t.Parallel()
	bundled := []string{"key-auth", "cors"}
	tests := []struct {
		plugins string
		want    []string
	}{
		{"bundled", []string{"key-auth", "cors"}},
		{"off", []string{}},
		{"off, my-plugin", []string{}},
		{"", []string{}},
		{"my-plugin, bundled, cors, my-plugin", []string{"my-plugin", "key-auth", "cors"}},
		{"bundled, off, x", []string{"key-auth", "cors", "x"}},
		{" hello-world ,   another-one  ", []string{"hello-world", "another-one"}},
	}
	for _, tt := range tests {
		c := mustLoad(t, map[string]string{"plugins": tt.plugins})
		if diff := cmp.Diff(tt.want, c.LoadedPlugins(bundled)); diff != "" {
			t.Errorf("plugins = %q mismatch (-want +got):\n%s", tt.plugins, diff)
		}
	}
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		headers string
		want    Headers
	}{
		{"off", Headers{}},
		{"off, server", Headers{}},
		{"", Headers{}},
		{"server_tokens", Headers{Server: true, Via: true}},
		{"latency_tokens", Headers{ProxyLatency: true, ResponseLatency: true, AdminLatency: true, UpstreamLatency: true}},
		{"Server, X-Kong-Request-Id, off", Headers{Server: true, RequestID: true}},
		{"via, x-kong-proxy-latency, x-kong-response-latency, x-kong-admin-latency, x-kong-upstream-latency, x-kong-upstream-status",
			Headers{Via: true, ProxyLatency: true, ResponseLatency: true, AdminLatency: true, UpstreamLatency: true, UpstreamStatus: true}},
	}
	for _, tt := range tests {
		c := mustLoad(t, map[string]string{"headers": tt.headers, "headers_upstream": "off"})
		if diff := cmp.Diff(tt.want, c.Headers); diff != "" {
			t.Errorf("headers = %q mismatch (-want +got):\n%s", tt.headers, diff)
		}
		if c.HeadersUpstream != (Headers{}) {
			t.Errorf("headers_upstream = off gave %+v", c.HeadersUpstream)
		}
	}
}

func TestTrustedIPsContains(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, map[string]string{"trusted_ips": "10.0.0.0/8, 192.168.1.1, 2001:db8::/32"})
	tests := []struct {
		addr string
		want bool
	}{
		{"10.1.2.3", true},
		{"11.0.0.1", false},
		{"192.168.1.1", true},
		{"192.168.1.2", false},
		{"::ffff:10.0.0.1", true},
		{"2001:db8::1", true},
		{"2001:db9::1", false},
	}
	for _, tt := range tests {
		if got := c.TrustedIPs.Contains(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("Contains(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
	all := mustLoad(t, map[string]string{"trusted_ips": "0.0.0.0/0,::/0"})
	if !all.TrustedIPs.Contains(netip.MustParseAddr("8.8.8.8")) || !all.TrustedIPs.Contains(netip.MustParseAddr("2001::1")) {
		t.Errorf("0.0.0.0/0,::/0 does not trust everything")
	}
}

func TestPropertyTable(t *testing.T) {
	t.Parallel()
	names := map[Type]string{String: "string", Number: "number", Boolean: "boolean", NgxBoolean: "ngx_boolean", Array: "array"}
	for typ, want := range names {
		if typ.String() != want {
			t.Errorf("Type(%d).String() = %q, want %q", typ, typ.String(), want)
		}
	}
	seen := map[string]bool{}
	for _, p := range Properties() {
		if seen[p.Name] {
			t.Errorf("%s declared twice", p.Name)
		}
		seen[p.Name] = true
		if p.Default == "" && p.Type != Array && p.Type != String {
			t.Errorf("%s: a %s needs a default or NONE", p.Name, p.Type)
		}
		if p.Alias != "" && !known(p.Alias) {
			t.Errorf("%s aliases unknown %s", p.Name, p.Alias)
		}
		if p.Enum != nil && p.Default != none && !slices.Contains(p.Enum, p.Default) {
			t.Errorf("%s default %q is not in its enum", p.Name, p.Default)
		}
	}
}
