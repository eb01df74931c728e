package requesttransformer_test

import (
	"net/http"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

const userRoute = `~/requests/user1/(?<user1>\\w+)/user2/(?<user2>\\S+)`

// regexSetup configures request-transformer on a route of one regex path
// that keeps its path upstream.
func regexSetup(t *testing.T, path, config string, plugins ...string) *plugintest.Env {
	t.Helper()
	e := plugintest.New(t, loaded)
	route := e.Insert("routes", `{"paths":["`+path+`"],"strip_path":false,"service":{"id":"`+e.Service()+`"}}`)
	for _, p := range plugins {
		e.Plugin(p, plugintest.On("route", route), "")
	}
	e.Plugin("request-transformer", plugintest.On("route", route), config)
	return e
}

func TestTemplates(t *testing.T) {
	for _, c := range []struct {
		name, config string
		req          plugintest.Request
		uri          string
		headers      map[string]string
		body         string
	}{
		{"uri captures in the query string",
			`{"add":{"querystring":["uri_param1:$(uri_captures.user1)","uri_param2[some_index][1]:$(uri_captures.user2)"]}}`,
			plugintest.Request{Path: "/requests/user1/foo/user2/bar?q1=20"},
			"/requests/user1/foo/user2/bar?q1=20&uri_param1=foo&uri_param2%5Bsome_index%5D%5B1%5D=bar", nil, ""},
		{"captures by position", `{"add":{"headers":["x-all:$(uri_captures[0])","x-first:$(uri_captures[1])"]}}`,
			plugintest.Request{Path: "/requests/user1/foo/user2/bar"}, "/requests/user1/foo/user2/bar",
			map[string]string{"X-All": "/requests/user1/foo/user2/bar", "X-First": "foo"}, ""},
		{"headers and query parameters",
			`{"add":{"querystring":["uri_param1:$(uri_captures.user1)","uri_param2:$(headers.host)"],"headers":["x-test-header:$(query_params.q1)"]},"remove":{"querystring":["q1"]}}`,
			plugintest.Request{Path: "/requests/user1/foo/user2/bar?q1=20", Host: "test15.test"},
			"/requests/user1/foo/user2/bar?uri_param1=foo&uri_param2=test15.test", map[string]string{"X-Test-Header": "20"}, ""},
		{"a removed header is still available",
			`{"replace":{"querystring":["q2:$(headers['x-remove-header'])"]},"add":{"querystring":["q1:$(uri_captures.user1)"],"headers":["x-test-header:$(headers['x-remove-header'])"]},"remove":{"headers":["x-remove-header"]}}`,
			plugintest.Request{Path: "/requests/user1/foo/user2/bar?q2=20", Header: header("X-Remove-Header", "its a test")},
			"/requests/user1/foo/user2/bar?q1=foo&q2=its%20a%20test",
			map[string]string{"X-Remove-Header": "<none>", "X-Test-Header": "its a test"}, ""},
		{"templates see the value before replace",
			`{"replace":{"querystring":["q2:$(headers['x-replace-header'])"],"headers":["x-replace-header:the new value"]},"add":{"querystring":["q1:$(uri_captures.user1)"],"headers":["x-test-header:$(headers['x-replace-header'])"]}}`,
			plugintest.Request{Path: "/requests/user1/foo/user2/bar?q2=20", Header: header("X-Replace-Header", "the old value")},
			"/requests/user1/foo/user2/bar?q1=foo&q2=the%20old%20value",
			map[string]string{"X-Replace-Header": "the new value", "X-Test-Header": "the old value"}, ""},
		{"headers are read when first used",
			`{"replace":{"headers":["x-h:new"]},"add":{"querystring":["q:$(headers['x-h'])"]}}`,
			plugintest.Request{Path: "/requests/user1/foo/user2/bar", Header: header("X-H", "old")},
			"/requests/user1/foo/user2/bar?q=new", nil, ""},
		{"escaped with a Lua string", `{"add":{"querystring":["q1:$('$(uri_captures.user1)')"]}}`,
			plugintest.Request{Path: "/requests/user1/foo/user2/bar?q2=20"},
			"/requests/user1/foo/user2/bar?q1=%24(uri_captures.user1)&q2=20", nil, ""},
		{"type and indexes of a repeated header",
			`{"add":{"headers":["X-Foo-Transformed:$(type(headers[\"X-Foo\"]) == \"table\" and headers[\"X-Foo\"][1] .. \"-first\" or headers[\"X-Foo\"])"]}}`,
			plugintest.Request{Path: "/requests/user1/foo/user2/bar", Header: header("X-Foo", "1", "X-Foo", "2")},
			"/requests/user1/foo/user2/bar", map[string]string{"X-Foo-Transformed": "1-first"}, ""},
		{"kong.ctx.shared", `{"add":{"querystring":["shared_param1:$(shared.my_version)"]}}`,
			plugintest.Request{Path: "/requests/user1/foo/user2/bar"}, "/requests/user1/foo/user2/bar?shared_param1=1.2.3", nil, ""},
		{"defaults and string methods",
			`{"add":{"headers":["x-d:$(uri_captures.user3 or 'default3')","x-u:$(uri_captures.user1:upper())","x-n:$(#uri_captures.user2 * 10)"]}}`,
			plugintest.Request{Path: "/requests/user1/foo/user2/bar"}, "/requests/user1/foo/user2/bar",
			map[string]string{"X-D": "default3", "X-U": "FOO", "X-N": "30"}, ""},
		{"a removed query argument is still available",
			`{"remove":{"querystring":["q"]},"add":{"body":["b:$(query_params.q)"]}}`,
			plugintest.Request{Method: http.MethodPost, Path: "/requests/user1/foo/user2/bar?q=1", Header: header("Content-Type", "application/json")},
			"/requests/user1/foo/user2/bar", nil, `{"b":"1"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := regexSetup(t, userRoute, c.config, sharedWriter)
			up := upstream(t, e, c.req)
			if up.URI != c.uri {
				t.Errorf("upstream URI %q, want %q", up.URI, c.uri)
			}
			if c.body != "" && up.Body != c.body {
				t.Errorf("upstream body %q, want %q", up.Body, c.body)
			}
			for name, want := range c.headers {
				if got := values(up.Headers, name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

// TestTemplateFailures: a template that fails to compile or to render
// fails the request with Kong's 500 and logs why.
func TestTemplateFailures(t *testing.T) {
	for _, c := range []struct{ config, log string }{
		{`{"add":{"querystring":["q1:$(ERROR())"]}}`, `attempt to call global 'ERROR' (a nil value)`},
		{`{"add":{"headers":["x-user-agent:$(foo(headers[\"User-Agent\"]))"]}}`, `attempt to call global 'foo' (a nil value)`},
		{`{"add":{"headers":["X-Write-Attempt:$(shared.written = true)"]}}`, `')' expected near '='`},
		{`{"add":{"headers":["x-added:$(string.sub(query_params.user, 1, 3))"]}}`, `attempt to index global 'string' (a nil value)`},
		{`{"add":{"headers":["x-added:$(require('inspect')('somestring'))"]}}`, `require 'inspect' not allowed within sandbox`},
		{`{"replace":{"uri":"/requests/user2/$(10 * uri_captures.user1)"}}`, `attempt to perform arithmetic on field 'user1' (a string value)`},
		{`{"replace":{"uri":"$(uri_captures.user1)"}}`, `path must start with /`},
		{`{"remove":{"headers":["x-h:$(a b)"]}}`, `')' expected near 'b'`},
	} {
		t.Run(c.log, func(t *testing.T) {
			e := regexSetup(t, userRoute, c.config)
			fails(t, e, plugintest.Request{Path: "/requests/user1/foo/user2/bar?user=foo123"})
			if !contains(e.Logs.String(), c.log) {
				t.Errorf("log lacks %q:\n%s", c.log, e.Logs.String())
			}
		})
	}
}
