package requesttransformer_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestHTTPMethod(t *testing.T) {
	form := header("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range []struct {
		name, config      string
		req               plugintest.Request
		method, uri, body string
	}{
		{"GET to POST", `{"http_method":"POST"}`, plugintest.Request{Path: "/request?hello=world&name=marco"},
			"POST", "/request?hello=world&name=marco", ""},
		{"POST to GET moves form arguments to the query", `{"http_method":"GET"}`,
			plugintest.Request{Method: http.MethodPost, Path: "/request?hello=world&name=x", Body: "name=marco&z=1", Header: form},
			"GET", "/request?hello=world&name=x&name=marco&z=1", "name=marco&z=1"},
		{"POST to HEAD", `{"http_method":"TRACE"}`,
			plugintest.Request{Method: http.MethodPost, Path: "/request", Body: "a=1", Header: form},
			"TRACE", "/request?a=1", "a=1"},
		{"POST to GET keeps a JSON body out of the query", `{"http_method":"GET"}`,
			plugintest.Request{Method: http.MethodPost, Path: "/request?x=1", Body: `{"a":"1"}`, Header: header("Content-Type", "application/json")},
			"GET", "/request?x=1", `{"a":"1"}`},
		{"POST to PUT leaves the query alone", `{"http_method":"PUT"}`,
			plugintest.Request{Method: http.MethodPost, Path: "/request?x=1", Body: "a=1", Header: form},
			"PUT", "/request?x=1", "a=1"},
		{"query transformations see the moved arguments", `{"http_method":"GET","rename":{"querystring":["a:b"]}}`,
			plugintest.Request{Method: http.MethodPost, Path: "/request", Body: "a=1", Header: form},
			"GET", "/request?b=1", "a=1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := setup(t, c.config)
			up := upstream(t, e, c.req)
			if up.Method != c.method || up.URI != c.uri || up.Body != c.body {
				t.Errorf("upstream %s %s %q, want %s %s %q", up.Method, up.URI, up.Body, c.method, c.uri, c.body)
			}
		})
	}
}

// TestHTTPMethodFailures: a method set_method does not know, and
// repeated arguments on both sides (an array in an array), fail as in
// Kong.
func TestHTTPMethodFailures(t *testing.T) {
	e := setup(t, `{"http_method":"CONNECT"}`)
	fails(t, e, plugintest.Request{Path: "/"})
	e = setup(t, `{"http_method":"GET"}`)
	fails(t, e, plugintest.Request{Method: http.MethodPost, Path: "/?a=1", Body: "a=2&a=3",
		Header: header("Content-Type", "application/x-www-form-urlencoded")})
}

func TestReplaceURI(t *testing.T) {
	for _, c := range []struct{ name, path, config, sent, uri string }{
		{"captures by name", userRoute, `{"replace":{"uri":"/requests/user2/$(uri_captures.user2)/user1/$(uri_captures.user1)"}}`,
			"/requests/user1/foo/user2/bar?q=1", "/requests/user2/bar/user1/foo?q=1"},
		{"the whole match", `~/user1/(?<user1>\\w+)/user2/(?<user2>\\S+)`, `{"replace":{"uri":"/requests$(uri_captures[0])"}}`,
			"/user1/foo/user2/bar", "/requests/user1/foo/user2/bar"},
		{"an optional group that did not match", `~/(gw/)?api/(?<subpath>htest)$`, `{"replace":{"uri":"/api/v2/$(uri_captures[\"subpath\"])"}}`,
			"/api/htest", "/api/v2/htest"},
		{"an optional group that matched", `~/(gw/)?api/(?<subpath>htest)$`, `{"replace":{"uri":"/api/v2/$(uri_captures[\"subpath\"])"}}`,
			"/gw/api/htest", "/api/v2/htest"},
		{"escaped as set_path does", "/requests", `{"replace":{"uri":"/requests/tést/a b/!$&'()*+,;=:@[]~%41"}}`,
			"/requests/wrong_path", "/requests/t%C3%A9st/a%20b/!$&'()*+,;=:@[]~%41"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := regexSetup(t, c.path, c.config)
			if up := upstream(t, e, plugintest.Request{Path: c.sent}); up.URI != c.uri {
				t.Errorf("upstream URI %q, want %q", up.URI, c.uri)
			}
		})
	}
}

// TestOrder: the path, the method, the headers, the body and the query
// string change in one request.
func TestOrder(t *testing.T) {
	e := regexSetup(t, userRoute, `{
		"http_method":"PUT",
		"replace":{"uri":"/users/$(uri_captures.user1)"},
		"rename":{"headers":["x-old:x-new"],"body":["a:b"],"querystring":["q:r"]},
		"add":{"headers":["x-method:$(headers['x-old'])"]}}`)
	up := upstream(t, e, plugintest.Request{Method: http.MethodPost, Path: "/requests/user1/foo/user2/bar?q=1",
		Body: `{"a":1}`, Header: header("X-Old", "v", "Content-Type", "application/json")})
	if up.Method != "PUT" || up.URI != "/users/foo?r=1" || up.Body != `{"b":1}` ||
		values(up.Headers, "X-New") != "v" || values(up.Headers, "X-Old") != "<none>" || values(up.Headers, "X-Method") != "v" {
		t.Errorf("upstream %s %s %q %v", up.Method, up.URI, up.Body, up.Headers)
	}
}
