package iprestriction_test

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/iprestriction"
	"github.com/silverback-gw/silverback/internal/proxy"
)

var loaded = []string{"ip-restriction"}

func trustLoopback(o *proxy.Options) {
	o.TrustedIPs = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
}

func TestRestricts(t *testing.T) {
	tests := []struct {
		name, config string
		trusted      bool
		header       http.Header
		status       int
		message      string
	}{
		{"deny peer", `{"deny":["127.0.0.1"]}`, false, nil, 403, "IP address not allowed: 127.0.0.1"},
		{"deny cidr", `{"deny":["127.0.0.0/8"]}`, false, nil, 403, "IP address not allowed: 127.0.0.1"},
		{"allow peer", `{"allow":["127.0.0.0/24"]}`, false, nil, 200, ""},
		{"outside allow", `{"allow":["10.0.0.0/8"]}`, false, nil, 403, "IP address not allowed: 127.0.0.1"},
		{"deny wins over allow", `{"allow":["127.0.0.1"],"deny":["127.0.0.1/32"]}`, false, nil, 403, "IP address not allowed"},
		{"status and message", `{"deny":["127.0.0.1"],"status":401,"message":"nope"}`, false, nil, 401, `"nope"`},
		{"untrusted X-Forwarded-For ignored", `{"allow":["10.1.1.1"]}`, false,
			http.Header{"X-Forwarded-For": {"10.1.1.1"}, "X-Real-Ip": {"10.1.1.1"}}, 403, "IP address not allowed: 127.0.0.1"},
		{"trusted real ip allowed", `{"allow":["10.1.1.1"]}`, true, http.Header{"X-Real-Ip": {"10.1.1.1"}}, 200, ""},
		{"trusted real ip denied", `{"deny":["10.0.0.0/8"]}`, true, http.Header{"X-Real-Ip": {"10.1.1.1"}}, 403, "IP address not allowed: 10.1.1.1"},
		{"ipv6 denied", `{"deny":["2001:db8::/32"]}`, true, http.Header{"X-Real-Ip": {"2001:db8::5"}}, 403, "IP address not allowed: 2001:db8::5"},
		{"ipv6 outside allow", `{"allow":["2001:db8::1"]}`, true, http.Header{"X-Real-Ip": {"2001:db9::1"}}, 403, "not allowed: 2001:db9::1"},
		{"ipv6 allowed", `{"allow":["::1","2001:db8::/64"]}`, true, http.Header{"X-Real-Ip": {"2001:db8::1"}}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []func(*proxy.Options)
			if tt.trusted {
				opts = append(opts, trustLoopback)
			}
			e := plugintest.New(t, loaded, opts...)
			e.Route(e.Service(), "/")
			e.Plugin("ip-restriction", "", tt.config)
			h := http.Header{"Accept": {"application/json"}}
			for k, v := range tt.header {
				h[k] = v
			}
			res, body := e.Do(plugintest.Request{Path: "/", Header: h})
			if res.StatusCode != tt.status || !strings.Contains(body, tt.message) {
				t.Errorf("got %d %q, want %d %q", res.StatusCode, body, tt.status, tt.message)
			}
			if tt.status != 200 && (!strings.Contains(body, `"request_id"`) || e.Upstream.Count.Load() != 0) {
				t.Errorf("not Kong's error body or proxied: %q", body)
			}
		})
	}
}

func TestConfigNeedsAllowOrDeny(t *testing.T) {
	e := plugintest.New(t, loaded)
	if err := e.TryInsert("plugins", `{"name":"ip-restriction","config":{}}`); err == nil {
		t.Error("accepted a config without allow and deny")
	}
	if err := e.TryInsert("plugins", `{"name":"ip-restriction","config":{"allow":["300.1.1.1"]}}`); err == nil {
		t.Error("accepted an invalid address")
	}
}
