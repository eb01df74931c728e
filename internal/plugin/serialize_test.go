package plugin_test

import (
	"encoding/json"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/proxy"
)

// TestSerialize checks kong.log.serialize()'s shape on an entry: Kong's
// header and query tables, credentials redacted, nginx's upstream_status,
// latencies in milliseconds, entities without their unset fields.
func TestSerialize(t *testing.T) {
	start := time.UnixMilli(1700000000123)
	e := &plugin.LogEntry{
		RequestID: "rid", StartedAt: start, ClientIP: "127.0.0.2",
		Request: plugin.LogRequest{Method: "GET", Scheme: "http", Host: "example.test", Path: "/p",
			RawQuery: "a=1&a=2&flag&empty=&sp=x+y%21&=skipped&&", URI: "/p?a=1&a=2&flag&empty=&sp=x+y%21&=skipped&&", Port: 8000,
			Headers: map[string][]string{"Authorization": {"Basic c2VjcmV0"}, "Proxy-Authorization": {"x"},
				"X-Multi": {"1", "2"}, "Host": {"example.test:8000"}}, Size: 120},
		Response: plugin.LogResponse{Status: 200, Source: proxy.SourceService,
			Headers: map[string][]string{"Content-Type": {"application/json"}}, Size: 300},
		ProxyLatency: 3 * time.Millisecond, UpstreamLatency: 20 * time.Millisecond, ResponseLatency: 23 * time.Millisecond,
		RequestLatency: 30 * time.Millisecond, ReceiveLatency: 7 * time.Millisecond,
		UpstreamURI: "/up?a=1&a=2", UpstreamStatus: 200,
		Route:      &entities.Route{ID: "r1", Protocols: []string{"http"}, Paths: []string{"/p"}, StripPath: true, PathHandling: "v0", HTTPSRedirectStatusCode: 426, ServiceID: "s1"},
		Service:    &entities.Service{ID: "s1", Name: "svc", Protocol: "http", Host: "127.0.0.1", Port: 9000, Retries: 5, ConnectTimeout: 60000, WriteTimeout: 60000, ReadTimeout: 60000, Enabled: true},
		Consumer:   &entities.Consumer{ID: "c1", Username: "alice"},
		Credential: &plugin.Credential{ID: "cred1", ConsumerID: "c1"},
		Tries: []proxy.Try{
			{Addr: netip.MustParseAddrPort("127.0.0.1:9001"), Failure: "failed", Status: 502, BalancerLatency: time.Millisecond},
			{Addr: netip.MustParseAddrPort("127.0.0.1:9000")},
		},
	}
	var got map[string]any
	if err := json.Unmarshal(e.JSON(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"request": map[string]any{
			"id": "rid", "uri": "/p?a=1&a=2&flag&empty=&sp=x+y%21&=skipped&&",
			"url":         "http://example.test:8000/p?a=1&a=2&flag&empty=&sp=x+y%21&=skipped&&",
			"querystring": map[string]any{"a": []any{"1", "2"}, "flag": true, "empty": "", "sp": "x y!"},
			"method":      "GET",
			"headers": map[string]any{"authorization": "REDACTED", "proxy-authorization": "REDACTED",
				"x-multi": []any{"1", "2"}, "host": "example.test:8000"},
			"size": 120.0,
		},
		"upstream_uri": "/up?a=1&a=2", "upstream_status": "502, 200",
		"response":  map[string]any{"status": 200.0, "headers": map[string]any{"content-type": "application/json"}, "size": 300.0},
		"latencies": map[string]any{"kong": 3.0, "proxy": 20.0, "request": 30.0, "receive": 7.0},
		"tries": []any{
			map[string]any{"ip": "127.0.0.1", "port": 9001.0, "balancer_latency": 1.0, "balancer_latency_ns": 1e6, "state": "failed", "code": 502.0},
			map[string]any{"ip": "127.0.0.1", "port": 9000.0, "balancer_latency": 0.0, "balancer_latency_ns": 0.0},
		},
		"authenticated_entity": map[string]any{"id": "cred1"},
		"route": map[string]any{"id": "r1", "protocols": []any{"http"}, "paths": []any{"/p"}, "strip_path": true,
			"preserve_host": false, "request_buffering": false, "response_buffering": false, "regex_priority": 0.0,
			"path_handling": "v0", "https_redirect_status_code": 426.0, "service": map[string]any{"id": "s1"}},
		"service": map[string]any{"id": "s1", "name": "svc", "protocol": "http", "host": "127.0.0.1", "port": 9000.0,
			"retries": 5.0, "connect_timeout": 60000.0, "write_timeout": 60000.0, "read_timeout": 60000.0, "enabled": true},
		"consumer":  map[string]any{"id": "c1", "username": "alice"},
		"client_ip": "127.0.0.2", "started_at": 1700000000123.0, "source": "upstream", "workspace_name": "default",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("serialized (-want +got):\n%s", d)
	}
}

// TestSerializeNotProxied: a response the gateway produced has Kong's
// latencies (proxy -1), source "kong", no tries and an empty
// upstream_status.
func TestSerializeNotProxied(t *testing.T) {
	e := &plugin.LogEntry{
		Request:         plugin.LogRequest{Method: "GET", Scheme: "https", Host: "h", URI: "/", Port: 8443},
		Response:        plugin.LogResponse{Status: 401, Source: proxy.SourceExit},
		ResponseLatency: 2 * time.Millisecond, RequestLatency: 4 * time.Millisecond,
	}
	s := e.Serialize()
	if s.Latencies != (plugin.Latencies{Kong: 2, Proxy: -1, Request: 4}) || s.Source != "kong" ||
		s.UpstreamStatus != "" || s.Tries != nil || s.Request.URL != "https://h:8443/" ||
		s.Route != nil || s.Consumer != nil || s.AuthenticatedEntity != nil || len(s.Request.QueryString) != 0 {
		t.Errorf("serialized %+v", s)
	}
}
