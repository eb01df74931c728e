package admin_test

import (
	"testing"

	"github.com/silverback-gw/silverback/internal/admin"
)

// GET / shows the *_listen properties parsed as Kong's conf_loader does
// (configuration.proxy_listeners etc., read by go-kong's Listeners).
func TestRootShowsParsedListeners(t *testing.T) {
	e := newEnv(t, func(o *admin.Options) {
		o.Node.Configuration = map[string]any{
			"proxy_listen":  []any{"0.0.0.0:8000 reuseport backlog=16384", "0.0.0.0:8443 http2 ssl reuseport backlog=16384", "[::1]:8444 ssl"},
			"stream_listen": []any{"off"},
			"admin_listen":  []any{"127.0.0.1:8001"},
		}
	})
	cfg := e.must(200, "GET", "/", nil)["configuration"].(map[string]any)
	check(t, &resp{status: 200, body: cfg["proxy_listeners"]}, 200, []any{
		map[string]any{"listener": "0.0.0.0:8000 reuseport backlog=16384", "ip": "0.0.0.0", "port": 8000,
			"ssl": false, "http2": false, "proxy_protocol": false, "deferred": false, "bind": false, "reuseport": true, "backlog=16384": true},
		map[string]any{"listener": "0.0.0.0:8443 ssl http2 reuseport backlog=16384", "ip": "0.0.0.0", "port": 8443,
			"ssl": true, "http2": true, "proxy_protocol": false, "deferred": false, "bind": false, "reuseport": true, "backlog=16384": true},
		map[string]any{"listener": "[::1]:8444 ssl", "ip": "[::1]", "port": 8444,
			"ssl": true, "http2": false, "proxy_protocol": false, "deferred": false, "bind": false, "reuseport": false, "backlog=%d+": false},
	})
	check(t, &resp{status: 200, body: cfg["stream_listeners"]}, 200, []any{})
	if cfg["proxy_ssl_enabled"] != true || cfg["stream_proxy_ssl_enabled"] != false || cfg["admin_ssl_enabled"] != false {
		t.Errorf("ssl flags: proxy %v stream %v admin %v", cfg["proxy_ssl_enabled"], cfg["stream_proxy_ssl_enabled"], cfg["admin_ssl_enabled"])
	}
	if l, _ := cfg["admin_listeners"].([]any); len(l) != 1 || l[0].(map[string]any)["listener"] != "127.0.0.1:8001" {
		t.Errorf("admin_listeners = %v", cfg["admin_listeners"])
	}
}
