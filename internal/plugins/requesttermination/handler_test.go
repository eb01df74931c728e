package requesttermination_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/requesttermination"
)

var loaded = []string{"request-termination"}

func TestTerminates(t *testing.T) {
	tests := []struct {
		name, config string
		req          plugintest.Request
		status       int
		body, ctype  string
	}{
		{"defaults", `{}`, plugintest.Request{Path: "/"}, 503, `{"message":"Service unavailable"}`, "application/json; charset=utf-8"},
		{"default message by status", `{"status_code":404}`, plugintest.Request{Path: "/"}, 404, `{"message":"Not found"}`, ""},
		{"no default message", `{"status_code":418}`, plugintest.Request{Path: "/"}, 418, `{}`, ""},
		{"message", `{"status_code":403,"message":"go away"}`, plugintest.Request{Path: "/"}, 403, `{"message":"go away"}`, ""},
		{"body", `{"status_code":200,"body":"<b>hi</b>","content_type":"text/html"}`, plugintest.Request{Path: "/"}, 200, `<b>hi</b>`, "text/html"},
		{"trigger header", `{"trigger":"X-Stop"}`, plugintest.Request{Path: "/", Header: http.Header{"X-Stop": {"1"}}}, 503, `{"message":"Service unavailable"}`, ""},
		{"trigger query", `{"trigger":"stop"}`, plugintest.Request{Path: "/?stop=1"}, 503, `{"message":"Service unavailable"}`, ""},
		{"trigger absent", `{"trigger":"stop"}`, plugintest.Request{Path: "/?go=1"}, 200, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := plugintest.New(t, loaded)
			e.Route(e.Service(), "/")
			e.Plugin("request-termination", "", tt.config)
			res, body := e.Do(tt.req)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d (%s)", res.StatusCode, tt.status, body)
			}
			if tt.status == 200 && tt.body == "" {
				if e.Upstream.Count.Load() != 1 {
					t.Error("not proxied")
				}
				return
			}
			if body != tt.body || e.Upstream.Count.Load() != 0 {
				t.Errorf("body %q, want %q; upstream %d", body, tt.body, e.Upstream.Count.Load())
			}
			if tt.ctype != "" && res.Header.Get("Content-Type") != tt.ctype {
				t.Errorf("Content-Type %q, want %q", res.Header.Get("Content-Type"), tt.ctype)
			}
		})
	}
}

func TestEcho(t *testing.T) {
	e := plugintest.New(t, loaded)
	r := e.Route(e.Service(), "/")
	e.Plugin("request-termination", "", `{"status_code":200,"echo":true}`)
	res, body := e.Do(plugintest.Request{Path: "/x?a=1&a=2&b=3", Header: http.Header{"X-Test": {"v"}}})
	var got struct {
		Message string `json:"message"`
		Request struct {
			Method, Path, Scheme string
			Headers              map[string]any
			Query                map[string]any
		} `json:"request"`
		MatchedRoute map[string]any `json:"matched_route"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || res.StatusCode != 200 {
		t.Fatalf("%d %q: %v", res.StatusCode, body, err)
	}
	if got.Request.Method != "GET" || got.Request.Path != "/x" || got.Request.Scheme != "http" ||
		got.Request.Headers["x-test"] != "v" || got.Request.Query["b"] != "3" ||
		len(got.Request.Query["a"].([]any)) != 2 || got.MatchedRoute["id"] != r {
		t.Errorf("echo %s", body)
	}
}

// TestRouteBeatsGlobal checks scope precedence with a real plugin.
func TestRouteBeatsGlobal(t *testing.T) {
	e := plugintest.New(t, loaded)
	svc := e.Service()
	r := e.Route(svc, "/route")
	e.Route(svc, "/other")
	e.Plugin("request-termination", "", `{"status_code":503}`)
	e.Plugin("request-termination", plugintest.On("route", r), `{"status_code":401}`)
	for path, want := range map[string]int{"/route": 401, "/other": 503} {
		if res, _ := e.Get(path); res.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, res.StatusCode, want)
		}
	}
}

func TestConfigRules(t *testing.T) {
	tests := []struct{ config, want string }{
		{`{"message":"m","body":"b"}`, "message cannot be used with content_type or body"},
		{`{"content_type":"text/plain"}`, "content_type requires a body"},
		{`{"echo":true,"body":"b"}`, "echo cannot be used with content_type and body"},
		{`{"status_code":600}`, "status_code"},
	}
	for _, tt := range tests {
		e := plugintest.New(t, loaded)
		err := e.TryInsert("plugins", `{"name":"request-termination","config":`+tt.config+`}`)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.config, err, tt.want)
		}
	}
}
