package proxy_test

import (
	"fmt"
	"testing"
)

// TestUpstreamPath proxies Kong's v0 path handling fixture
// (spec/fixtures/router_path_handling_tests.lua) and query strings.
func TestUpstreamPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		servicePath, routePath string
		strip                  bool
		request, want          string
	}{
		{"/", "/", true, "/route/req", "/route/req"},
		{"/", "/route", false, "/routereq", "/routereq"},
		{"/", "/route", true, "/route", "/"},
		{"/", "/route", true, "/route/", "/"},
		{"/", "/route", true, "/routereq", "/req"},
		{"/", "/route/", true, "/route/req", "/req"},
		{"/srv", "/rou", false, "/roureq", "/srv/roureq"},
		{"/srv", "/rou", true, "/roureq", "/srv/req"},
		{"/srv/", "/rou", true, "/rou", "/srv"},
		{"/service", "/", true, "/", "/service"},
		{"/service", "/", false, "/route/", "/service/route/"},
		{"/service", "/route", false, "/route", "/service/route"},
		{"/service", "/route", true, "/route", "/service"},
		{"/service", "/route", true, "/route/", "/service/"},
		{"/service", "/route", true, "/routereq", "/service/req"},
		{"/service", "/route/", true, "/route/", "/service/"},
		{"/service/", "/", true, "/", "/service/"},
		{"/service/", "/route", true, "/route", "/service"},
		{"/service/", "/route/", true, "/route/req", "/service/req"},
		{"/service", "/route", true, "/route./req", "/service/req"},
		{"/service", "/route", false, "/route%2E%2E/req", "/service/route../req"},
		// query strings are kept as sent, an empty one included
		{"/", "/q", false, "/q?a=1&b=%20", "/q?a=1&b=%20"},
		{"/", "/q", false, "/q?", "/q?"},
		{"/", "/q", true, "/q/x?y", "/x?y"},
		// normalization, re-escaping
		{"/", "/hello", true, "/h%65llo/anything/a/../b", "/anything/b"},
		{"/", "/anything", false, "/anything/world/cat%20and%20dog", "/anything/world/cat%20and%20dog"},
	}
	e := newEnv(t)
	up := newEcho(t, "up")
	for i, tt := range tests {
		host := fmt.Sprintf("case%d.test", i)
		svc := e.service(up.URL+tt.servicePath, nil)
		e.route(svc, map[string]any{"hosts": []any{host}, "paths": []any{tt.routePath}, "strip_path": tt.strip})
		t.Run(fmt.Sprintf("%s+%s(strip=%v)%s", tt.servicePath, tt.routePath, tt.strip, tt.request), func(t *testing.T) {
			res, body := e.do(request{path: tt.request, host: host})
			if res.StatusCode != 200 {
				t.Fatalf("status %d: %s", res.StatusCode, body)
			}
			if got := decodeEcho(t, body).URI; got != tt.want {
				t.Errorf("upstream got %q, want %q", got, tt.want)
			}
		})
	}
}
