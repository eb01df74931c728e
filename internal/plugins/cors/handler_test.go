package cors_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/cors"
)

var loaded = []string{"cors"}

const allMethods = "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT"

func preflight(origin string, extra ...string) plugintest.Request {
	h := http.Header{"Origin": {origin}, "Access-Control-Request-Method": {"POST"}}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = []string{extra[i+1]}
	}
	return plugintest.Request{Method: "OPTIONS", Path: "/", Header: h}
}

func simple(origin string) plugintest.Request {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return plugintest.Request{Path: "/", Header: h}
}

func TestCORS(t *testing.T) {
	tests := []struct {
		name, config string
		req          plugintest.Request
		status       int
		proxied      bool
		want         map[string]string // "" means absent
	}{
		{"preflight defaults", `{}`, preflight("http://a.test", "Access-Control-Request-Headers", "X-A,X-B"), 200, false, map[string]string{
			"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": allMethods,
			"Access-Control-Allow-Headers": "X-A,X-B", "Access-Control-Allow-Credentials": "",
			"Access-Control-Max-Age": "", "Vary": "", "Content-Length": "0"}},
		{"preflight configured", `{"origins":["http://a.test","http://b.test"],"headers":["X-H","X-I"],"methods":["GET","POST"],"max_age":3600,"credentials":true}`,
			preflight("http://b.test:80", "Access-Control-Request-Headers", "X-A"), 200, false, map[string]string{
				"Access-Control-Allow-Origin": "http://b.test", "Access-Control-Allow-Methods": "GET,POST",
				"Access-Control-Allow-Headers": "X-H,X-I", "Access-Control-Allow-Credentials": "true",
				"Access-Control-Max-Age": "3600", "Vary": "Origin"}},
		{"preflight origin refused", `{"origins":["http://a.test","http://b.test"]}`, preflight("http://c.test"), 200, false, map[string]string{
			"Access-Control-Allow-Origin": "", "Access-Control-Allow-Methods": allMethods, "Vary": "Origin"}},
		{"preflight credentials with *", `{"credentials":true}`, preflight("http://a.test"), 200, false, map[string]string{
			"Access-Control-Allow-Origin": "http://a.test", "Access-Control-Allow-Credentials": "true", "Vary": "Origin"}},
		{"preflight private network", `{"private_network":true}`, preflight("http://a.test", "Access-Control-Request-Private-Network", "true"), 200, false, map[string]string{
			"Access-Control-Allow-Private-Network": "true"}},
		{"preflight continue", `{"preflight_continue":true}`, preflight("http://a.test"), 200, true, map[string]string{
			"Access-Control-Allow-Methods": "", "Access-Control-Allow-Origin": "*"}},
		{"options without request method is proxied", `{}`, plugintest.Request{Method: "OPTIONS", Path: "/", Header: http.Header{"Origin": {"http://a.test"}}},
			200, true, map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": ""}},
		{"simple defaults", `{"exposed_headers":["X-E","X-F"]}`, simple("http://a.test"), 200, true, map[string]string{
			"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "X-E,X-F", "Vary": "",
			"Access-Control-Allow-Methods": ""}},
		{"simple without origin", `{}`, simple(""), 200, true, map[string]string{"Access-Control-Allow-Origin": "*"}},
		{"simple single origin sent as is", `{"origins":["http://a.test"]}`, simple("http://other.test"), 200, true, map[string]string{
			"Access-Control-Allow-Origin": "http://a.test", "Vary": "Origin"}},
		{"simple matching origin", `{"origins":["http://a.test","https://b.test"],"credentials":true}`, simple("https://b.test:443"), 200, true, map[string]string{
			"Access-Control-Allow-Origin": "https://b.test", "Access-Control-Allow-Credentials": "true", "Vary": "Origin"}},
		{"simple refused origin", `{"origins":["http://a.test","https://b.test"]}`, simple("http://evil.test"), 200, true, map[string]string{
			"Access-Control-Allow-Origin": "", "Vary": "Origin"}},
		{"regex by host", `{"origins":["(.*[.])?example[.]com","http://x.test"]}`, simple("https://api.example.com"), 200, true, map[string]string{
			"Access-Control-Allow-Origin": "https://api.example.com"}},
		{"regex anchored", `{"origins":["(.*[.])?example[.]com","http://x.test"]}`, simple("https://example.com.evil.test"), 200, true, map[string]string{
			"Access-Control-Allow-Origin": ""}},
		{"regex with scheme", `{"origins":["https://.*[.]example[.]com","http://x.test"]}`, simple("https://a.example.com"), 200, true, map[string]string{
			"Access-Control-Allow-Origin": "https://a.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := plugintest.New(t, loaded)
			e.Route(e.Service(), "/")
			e.Plugin("cors", "", tt.config)
			res, body := e.Do(tt.req)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if proxied := e.Upstream.Count.Load() == 1; proxied != tt.proxied {
				t.Errorf("proxied %v, want %v", proxied, tt.proxied)
			}
			if !tt.proxied && body != "" {
				t.Errorf("preflight body %q", body)
			}
			for k, v := range tt.want {
				if got := res.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestOriginsSchema(t *testing.T) {
	e := plugintest.New(t, loaded)
	if err := e.TryInsert("plugins", `{"name":"cors","config":{"origins":["(unclosed"]}}`); err == nil {
		t.Error("an invalid regex was accepted")
	}
	if err := e.TryInsert("plugins", `{"name":"cors","config":{"methods":["FETCH"]}}`); err == nil {
		t.Error("an unknown method was accepted")
	}
	c := e.Insert("consumers", `{"username":"u"}`)
	err := e.TryInsert("plugins", `{"name":"cors","consumer":{"id":"`+c+`"}}`)
	if err == nil || !strings.Contains(err.Error(), "value must be null") {
		t.Errorf("consumer-scoped cors: %v", err)
	}
}
