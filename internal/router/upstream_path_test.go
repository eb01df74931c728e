package router

import (
	"fmt"
	"testing"
)

type stripMode uint8

const (
	stripOff stripMode = 1 << iota
	stripOn
	stripBoth = stripOff | stripOn
)

type handling uint8

const (
	v0 handling = 1 << iota
	v1
	v0v1 = v0 | v1
)

// pathHandlingTests is Kong's spec/fixtures/router_path_handling_tests.lua,
// row for row: service path, route path ("" = the route matches by host),
// strip_path, path_handling, request path, expected upstream path.
var pathHandlingTests = []struct {
	servicePath, routePath string
	strip                  stripMode
	handling               handling
	request, want          string
}{
	{"/", "/", stripBoth, v0v1, "/", "/"},
	{"/", "/", stripBoth, v0v1, "/route", "/route"},
	{"/", "/", stripBoth, v0v1, "/route/", "/route/"},
	{"/", "/", stripBoth, v0v1, "/routereq", "/routereq"},
	{"/", "/", stripBoth, v0v1, "/route/req", "/route/req"},
	{"/", "/route", stripOff, v0v1, "/route", "/route"},
	{"/", "/route", stripOff, v0v1, "/route/", "/route/"},
	{"/", "/route", stripOff, v0v1, "/routereq", "/routereq"},
	{"/", "/route", stripOn, v0v1, "/route", "/"},
	{"/", "/route", stripOn, v0v1, "/route/", "/"},
	{"/", "/route", stripOn, v0v1, "/routereq", "/req"},
	{"/", "/route/", stripOff, v0v1, "/route/", "/route/"},
	{"/", "/route/", stripOff, v0v1, "/route/req", "/route/req"},
	{"/", "/route/", stripOn, v0v1, "/route/", "/"},
	{"/", "/route/", stripOn, v0v1, "/route/req", "/req"},
	{"/srv", "/rou", stripOff, v0, "/roureq", "/srv/roureq"},
	{"/srv", "/rou", stripOff, v1, "/roureq", "/srvroureq"},
	{"/srv", "/rou", stripOn, v0, "/roureq", "/srv/req"},
	{"/srv", "/rou", stripOn, v1, "/roureq", "/srvreq"},
	{"/srv/", "/rou", stripOff, v0v1, "/rou", "/srv/rou"},
	{"/srv/", "/rou", stripOn, v0, "/rou", "/srv"},
	{"/srv/", "/rou", stripOn, v1, "/rou", "/srv/"},
	{"/service", "/", stripBoth, v0v1, "/", "/service"},
	{"/service", "/", stripBoth, v0, "/route", "/service/route"},
	{"/service", "/", stripBoth, v1, "/route", "/serviceroute"},
	{"/service", "/", stripBoth, v0, "/route/", "/service/route/"},
	{"/service", "/", stripBoth, v1, "/route/", "/serviceroute/"},
	{"/service", "/", stripBoth, v0, "/routereq", "/service/routereq"},
	{"/service", "/", stripBoth, v1, "/routereq", "/serviceroutereq"},
	{"/service", "/", stripBoth, v0, "/route/req", "/service/route/req"},
	{"/service", "/", stripBoth, v1, "/route/req", "/serviceroute/req"},
	{"/service", "/route", stripOff, v0, "/route", "/service/route"},
	{"/service", "/route", stripOff, v1, "/route", "/serviceroute"},
	{"/service", "/route", stripOff, v0, "/route/", "/service/route/"},
	{"/service", "/route", stripOff, v1, "/route/", "/serviceroute/"},
	{"/service", "/route", stripOff, v0, "/routereq", "/service/routereq"},
	{"/service", "/route", stripOff, v1, "/routereq", "/serviceroutereq"},
	{"/service", "/route", stripOn, v0v1, "/route", "/service"},
	{"/service", "/route", stripOn, v0v1, "/route/", "/service/"},
	{"/service", "/route", stripOn, v0, "/routereq", "/service/req"},
	{"/service", "/route", stripOn, v1, "/routereq", "/servicereq"},
	{"/service", "/route/", stripOff, v0, "/route/", "/service/route/"},
	{"/service", "/route/", stripOff, v1, "/route/", "/serviceroute/"},
	{"/service", "/route/", stripOff, v0, "/route/req", "/service/route/req"},
	{"/service", "/route/", stripOff, v1, "/route/req", "/serviceroute/req"},
	{"/service", "/route/", stripOn, v0, "/route/", "/service/"},
	{"/service", "/route/", stripOn, v1, "/route/", "/service"},
	{"/service", "/route/", stripOn, v0, "/route/req", "/service/req"},
	{"/service", "/route/", stripOn, v1, "/route/req", "/servicereq"},
	{"/service/", "/", stripBoth, v0, "/route/", "/service/route/"},
	{"/service/", "/", stripBoth, v1, "/route/", "/service/route/"},
	{"/service/", "/", stripBoth, v0v1, "/", "/service/"},
	{"/service/", "/", stripBoth, v0v1, "/route", "/service/route"},
	{"/service/", "/", stripBoth, v0v1, "/routereq", "/service/routereq"},
	{"/service/", "/", stripBoth, v0v1, "/route/req", "/service/route/req"},
	{"/service/", "/route", stripOff, v0v1, "/route", "/service/route"},
	{"/service/", "/route", stripOff, v0v1, "/route/", "/service/route/"},
	{"/service/", "/route", stripOff, v0v1, "/routereq", "/service/routereq"},
	{"/service/", "/route", stripOn, v0, "/route", "/service"},
	{"/service/", "/route", stripOn, v1, "/route", "/service/"},
	{"/service/", "/route", stripOn, v0v1, "/route/", "/service/"},
	{"/service/", "/route", stripOn, v0v1, "/routereq", "/service/req"},
	{"/service/", "/route/", stripOff, v0v1, "/route/", "/service/route/"},
	{"/service/", "/route/", stripOff, v0v1, "/route/req", "/service/route/req"},
	{"/service/", "/route/", stripOn, v0v1, "/route/", "/service/"},
	{"/service/", "/route/", stripOn, v0v1, "/route/req", "/service/req"},
	{"/", "", stripBoth, v0v1, "/", "/"},
	{"/", "", stripBoth, v0v1, "/route", "/route"},
	{"/", "", stripBoth, v0v1, "/route/", "/route/"},
	{"/service", "", stripBoth, v0v1, "/", "/service"},
	{"/service", "", stripBoth, v0, "/route", "/service/route"},
	{"/service", "", stripBoth, v1, "/route", "/serviceroute"},
	{"/service", "", stripBoth, v0, "/route/", "/service/route/"},
	{"/service", "", stripBoth, v1, "/route/", "/serviceroute/"},
	{"/service/", "", stripBoth, v0v1, "/", "/service/"},
	{"/service/", "", stripBoth, v0v1, "/route", "/service/route"},
	{"/service/", "", stripBoth, v0v1, "/route/", "/service/route/"},
	{"/service", "/route", stripOn, v0, "/route./req", "/service/req"},
	{"/service", "/route", stripOn, v1, "/route./req", "/servicereq"},
	{"/service/", "/route", stripOn, v0v1, "/route./req", "/service/req"},
	{"/service", "/route", stripOn, v0, "/route%2E/req", "/service/req"},
	{"/service", "/route", stripOn, v1, "/route%2E/req", "/servicereq"},
	{"/service/", "/route", stripOn, v0v1, "/route%2E/req", "/service/req"},
	{"/service", "/route", stripOn, v0, "/route%2e/req", "/service/req"},
	{"/service", "/route", stripOn, v1, "/route%2e/req", "/servicereq"},
	{"/service/", "/route", stripOn, v0v1, "/route%2e/req", "/service/req"},
	{"/service", "/route", stripOn, v0, "/route../req", "/service/req"},
	{"/service", "/route", stripOn, v1, "/route../req", "/servicereq"},
	{"/service/", "/route", stripOn, v0v1, "/route../req", "/service/req"},
	{"/service", "/route", stripOn, v0, "/route%2E%2E/req", "/service/req"},
	{"/service", "/route", stripOn, v1, "/route%2E%2E/req", "/servicereq"},
	{"/service/", "/route", stripOn, v0v1, "/route%2E%2E/req", "/service/req"},
	{"/service", "/route", stripOn, v0, "/route%2e%2E/req", "/service/req"},
	{"/service", "/route", stripOn, v1, "/route%2e%2E/req", "/servicereq"},
	{"/service/", "/route", stripOn, v0v1, "/route%2e%2E/req", "/service/req"},
	{"/service", "/route", stripOff, v0, "/route./req", "/service/route./req"},
	{"/service", "/route", stripOff, v1, "/route./req", "/serviceroute./req"},
	{"/service/", "/route", stripOff, v0v1, "/route./req", "/service/route./req"},
	{"/service", "/route", stripOff, v0, "/route%2E/req", "/service/route./req"},
	{"/service", "/route", stripOff, v1, "/route%2E/req", "/serviceroute./req"},
	{"/service/", "/route", stripOff, v0v1, "/route%2E/req", "/service/route./req"},
	{"/service", "/route", stripOff, v0, "/route%2e/req", "/service/route./req"},
	{"/service", "/route", stripOff, v1, "/route%2e/req", "/serviceroute./req"},
	{"/service/", "/route", stripOff, v0v1, "/route%2e/req", "/service/route./req"},
	{"/service", "/route", stripOff, v0, "/route../req", "/service/route../req"},
	{"/service", "/route", stripOff, v1, "/route../req", "/serviceroute../req"},
	{"/service/", "/route", stripOff, v0v1, "/route../req", "/service/route../req"},
	{"/service", "/route", stripOff, v0, "/route%2E%2E/req", "/service/route../req"},
	{"/service", "/route", stripOff, v1, "/route%2E%2E/req", "/serviceroute../req"},
	{"/service/", "/route", stripOff, v0v1, "/route%2E%2E/req", "/service/route../req"},
	{"/service", "/route", stripOff, v0, "/route%2e%2E/req", "/service/route../req"},
	{"/service", "/route", stripOff, v1, "/route%2e%2E/req", "/serviceroute../req"},
	{"/service/", "/route", stripOff, v0v1, "/route%2e%2E/req", "/service/route../req"},
}

// TestUpstreamPath runs every fixture row through a router, as Kong's unit
// spec does: once with the route path as a prefix, once turned into the
// regex "~/[0]?<path>" (same match, through the regex code path), and once
// per path handling (v1 through UpstreamPathV1).
func TestUpstreamPath(t *testing.T) {
	t.Parallel()
	for i, tt := range pathHandlingTests {
		for _, strip := range []bool{false, true} {
			if strip && tt.strip&stripOn == 0 || !strip && tt.strip&stripOff == 0 {
				continue
			}
			for _, h := range []handling{v0, v1} {
				if tt.handling&h == 0 {
					continue
				}
				kinds := []string{"prefix", "regex"}
				if tt.routePath == "" {
					kinds = []string{"host"}
				}
				for _, kind := range kinds {
					name := fmt.Sprintf("%d/%s/%s/strip=%t/v%d/%s", i+1, tt.servicePath, kind, strip, h>>1, tt.request)
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						rt := Route{ID: "e8fb37f1-102d-461e-9c51-6608a6bb8101", StripPath: strip}
						switch kind {
						case "host":
							rt.Hosts = []string{"localbin.test"}
						case "prefix":
							rt.Paths = []string{tt.routePath}
						case "regex":
							rt.Paths = []string{"~/[0]?" + tt.routePath[1:]}
						}
						m := mustMatch(t, []Route{rt}, &Request{Method: "GET", Host: "localbin.test", Path: tt.request})
						got := m.UpstreamPath(tt.servicePath)
						if h == v1 {
							got = m.UpstreamPathV1(tt.servicePath)
						}
						if got != tt.want {
							t.Errorf("upstream path = %q, want %q (match %+v)", got, tt.want, m)
						}
					})
				}
			}
		}
	}
}

func TestUpstreamPathIntegration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, routePath string
		strip           bool
		servicePath     string
		request, want   string
	}{
		// spec/02-integration/05-proxy/02-router_spec.lua "URI normalization"
		{"normalized then stripped", "/hello", true, "", "/h%65llo/anything/a/../b", "/anything/b"},
		{"normalized not stripped", "/hello", false, "", "/h%65llo/anything/a/../b", "/hello/anything/b"},
		{"special characters re-encoded", "/anything", false, "", "/anything/world/cat%20and%20dog", "/anything/world/cat%20and%20dog"},
		{"reserved stays encoded", "/a", false, "", "/a/%2f%3F", "/a/%2F%3F"},
		{"non-ascii re-encoded", "/a", false, "/s", "/a/%C3%A9t%c3%a9", "/s/a/%C3%A9t%C3%A9"},
		{"service path escaped too", "/a", true, "/s p", "/a/b", "/s%20p/b"},
		{"regex strip cuts the matched portion", `~/users/\d+`, true, "/svc", "/users/42/profile", "/svc/profile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rt := Route{ID: "e8fb37f1-102d-461e-9c51-6608a6bb8101", Paths: []string{tt.routePath}, StripPath: tt.strip}
			m := mustMatch(t, []Route{rt}, &Request{Method: "GET", Path: tt.request})
			if got := m.UpstreamPath(tt.servicePath); got != tt.want {
				t.Errorf("upstream path = %q, want %q", got, tt.want)
			}
		})
	}
}
