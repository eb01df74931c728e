package keyauth_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

// TestDeclarative: consumers with nested keyauth_credentials and acls
// load from a declarative file, and the proxy authenticates with them.
func TestDeclarative(t *testing.T) {
	e := plugintest.New(t, loaded)
	doc := `_format_version: "3.0"
services:
- name: s
  url: ` + e.Upstream.URL + `
  routes:
  - name: r
    paths: ["/"]
    plugins:
    - name: key-auth
    - name: acl
      config:
        allow: [gold]
consumers:
- username: alice
  keyauth_credentials:
  - key: alice-key
  acls:
  - group: gold
- username: bob
  keyauth_credentials:
  - key: bob-key
    tags: [b]
  acls:
  - group: silver
`
	e.Load(doc)
	res, body := e.Do(plugintest.Request{Path: "/", Header: http.Header{"Apikey": {"alice-key"}}})
	if res.StatusCode != 200 || plugintest.DecodeEcho(t, body).Headers.Get("X-Consumer-Groups") != "gold" {
		t.Errorf("alice: %d %q", res.StatusCode, body)
	}
	res, body = e.Do(plugintest.Request{Path: "/", Header: http.Header{"Apikey": {"bob-key"}}})
	if res.StatusCode != 403 || !strings.Contains(body, "You cannot consume this service") {
		t.Errorf("bob: %d %q", res.StatusCode, body)
	}
	out := e.Export()
	for _, want := range []string{"keyauth_credentials", "alice-key", "acls", "group: silver"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("export lacks %q:\n%s", want, out)
		}
	}
}
