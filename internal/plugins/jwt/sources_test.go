package jwt_test

import (
	"net/http"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

// TestTokenSources: tokens in query arguments, cookies and headers, as
// Kong finds them, and the refusals when a request carries several.
func TestTokenSources(t *testing.T) {
	f := setup(t, `{"uri_param_names":["jwt","token"],"cookie_names":["crumble","silly"],"header_names":["authorization","custom_authorization"]}`)
	tok := aliceToken(t, nil)
	other := aliceToken(t, map[string]any{"sub": "other"})
	cases := []struct {
		name string
		req  plugintest.Request
		body string // "" for 200
	}{
		{"query", plugintest.Request{Path: "/x?a=1&jwt=" + tok}, ""},
		{"custom query argument", plugintest.Request{Path: "/?token=" + tok}, ""},
		{"escaped query argument", plugintest.Request{Path: "/?%6Awt=" + tok}, ""},
		{"empty query argument", plugintest.Request{Path: "/?jwt=&token=", Header: bearer(tok)}, ""},
		{"same token twice", plugintest.Request{Path: "/?jwt=" + tok + "&token=" + tok, Header: bearer(tok)}, ""},
		{"cookie", plugintest.Request{Header: http.Header{"Cookie": {"crumble=" + tok + "; path=/;domain=.jwt9.test"}}}, ""},
		{"cookie name without case", plugintest.Request{Header: http.Header{"Cookie": {"a=1, SILLY = " + tok}}}, ""},
		{"second cookie line", plugintest.Request{Header: http.Header{"Cookie": {"a=1", "silly=" + tok}}}, ""},
		{"unconfigured cookie", plugintest.Request{Header: http.Header{"Cookie": {"jwt=" + tok}}}, `{"message":"Unauthorized"}`},
		{"cookie name prefix", plugintest.Request{Header: http.Header{"Cookie": {"sillyx=" + tok}}}, `{"message":"Unauthorized"}`},
		{"header", plugintest.Request{Header: bearer(tok)}, ""},
		{"lower-case scheme", plugintest.Request{Header: http.Header{"Authorization": {"bearer " + tok}}}, ""},
		{"scheme anywhere", plugintest.Request{Header: http.Header{"Authorization": {"Token, Bearer\t" + tok}}}, ""},
		{"header name with underscore", plugintest.Request{Header: http.Header{"Custom-Authorization": {"Bearer " + tok}}}, ""},
		{"first header line", plugintest.Request{Header: http.Header{"Custom-Authorization": {"Bearer " + tok, "Bearer " + other}}}, ""},
		{"no scheme", plugintest.Request{Header: http.Header{"Authorization": {tok}}}, `{"message":"Unauthorized"}`},
		{"query and header", plugintest.Request{Path: "/?jwt=" + tok, Header: bearer(other)}, `{"message":"Multiple tokens provided"}`},
		{"two query arguments", plugintest.Request{Path: "/?jwt=" + tok + "&jwt=" + other}, `{"message":"Multiple tokens provided"}`},
		{"cookie and header", plugintest.Request{Header: http.Header{"Cookie": {"silly=" + tok}, "Custom-Authorization": {"Bearer " + other}}}, `{"message":"Multiple tokens provided"}`},
		{"argument without value", plugintest.Request{Path: "/?token"}, `{"message":"Unrecognizable token"}`},
		{"argument without value and a token", plugintest.Request{Path: "/?token", Header: bearer(tok)}, `{"message":"Multiple tokens provided"}`},
	}
	for _, c := range cases {
		if c.req.Path == "" {
			c.req.Path = "/"
		}
		res, body := f.Do(c.req)
		if c.body == "" {
			if res.StatusCode != 200 {
				t.Errorf("%s: %d %q", c.name, res.StatusCode, body)
			} else if up := plugintest.DecodeEcho(t, body); up.URI != c.req.Path || up.Headers.Get("X-Credential-Identifier") != aliceKey {
				t.Errorf("%s: upstream %s %v", c.name, up.URI, up.Headers)
			}
			continue
		}
		if res.StatusCode != 401 || body != c.body {
			t.Errorf("%s: %d %q, want 401 %q", c.name, res.StatusCode, body, c.body)
		}
	}
}

// TestQueryArgumentLimit: as kong.request.get_query, only the first 100
// query arguments are read.
func TestQueryArgumentLimit(t *testing.T) {
	f := setup(t, "")
	path := "/?"
	for range 100 {
		path += "a=1&"
	}
	if res, body := f.Get(path + "jwt=" + aliceToken(t, nil)); res.StatusCode != 401 || body != `{"message":"Unauthorized"}` {
		t.Errorf("101st argument: %d %q", res.StatusCode, body)
	}
}
