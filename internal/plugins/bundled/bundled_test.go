package bundled_test

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/bundled"
	"github.com/silverback-gw/silverback/internal/proxy"
	"github.com/silverback-gw/silverback/internal/schema"
)

// TestSchemas checks what decK needs of every bundled plugin's schema: a
// protocols field with its default, and a config record.
func TestSchemas(t *testing.T) {
	set, err := plugin.Load([]string{"bundled"})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Names()) < 4 {
		t.Fatalf("bundled plugins: %v", set.Names())
	}
	for _, name := range set.Names() {
		d, _ := set.Get(name)
		var protocols, config bool
		for _, f := range d.Schema.Fields {
			switch f.Name() {
			case "protocols":
				_, protocols = f.DefaultValue()
			case "config":
				config = f.Type() == schema.Record
			}
		}
		if !protocols || !config || d.New == nil || d.Version == "" {
			t.Errorf("%s: protocols with default %v, config record %v, constructor %v, version %q",
				name, protocols, config, d.New != nil, d.Version)
		}
	}
}

// TestOrderingBetweenPlugins: cors (2000) runs before ip-restriction
// (990), so a preflight from a denied address is answered by cors; a
// simple request is refused by ip-restriction, and cors, collected before,
// still adds its headers to the refusal in header_filter.
func TestOrderingBetweenPlugins(t *testing.T) {
	e := plugintest.New(t, []string{"bundled"})
	e.Route(e.Service(), "/")
	e.Plugin("ip-restriction", "", `{"deny":["127.0.0.1"]}`)
	e.Plugin("cors", "", `{}`)
	res, _ := e.Do(plugintest.Request{Method: "OPTIONS", Path: "/",
		Header: http.Header{"Origin": {"http://a.test"}, "Access-Control-Request-Method": {"GET"}}})
	if res.StatusCode != 200 || res.Header.Get("Access-Control-Allow-Methods") == "" {
		t.Errorf("preflight: %d %v", res.StatusCode, res.Header)
	}
	res, body := e.Do(plugintest.Request{Path: "/", Header: http.Header{"Origin": {"http://a.test"}}})
	if res.StatusCode != 403 || !strings.Contains(body, "IP address not allowed") ||
		res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("simple request: %d %q %v", res.StatusCode, body, res.Header)
	}
	if n := e.Upstream.Count.Load(); n != 0 {
		t.Errorf("upstream reached %d times", n)
	}
}

// TestRouteConfigBeatsGlobal: a route-scoped ip-restriction replaces the
// global one on its route only, and request-termination (priority 2) runs
// after it.
func TestRouteConfigBeatsGlobal(t *testing.T) {
	e := plugintest.New(t, []string{"bundled"}, func(o *proxy.Options) {
		o.TrustedIPs = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	svc := e.Service()
	open := e.Route(svc, "/open")
	e.Route(svc, "/closed")
	e.Plugin("ip-restriction", "", `{"allow":["10.0.0.0/8"]}`)
	e.Plugin("ip-restriction", plugintest.On("route", open), `{"allow":["192.168.0.0/16"]}`)
	e.Plugin("request-termination", plugintest.On("route", open), `{"status_code":418,"message":"teapot"}`)
	tests := []struct {
		path, ip string
		status   int
	}{
		{"/open", "192.168.1.1", 418},
		{"/open", "10.1.1.1", 403},
		{"/closed", "10.1.1.1", 200},
		{"/closed", "192.168.1.1", 403},
	}
	for _, tt := range tests {
		res, body := e.Do(plugintest.Request{Path: tt.path, Header: http.Header{"X-Real-Ip": {tt.ip}}})
		if res.StatusCode != tt.status {
			t.Errorf("%s from %s: %d %q, want %d", tt.path, tt.ip, res.StatusCode, body, tt.status)
		}
	}
}
