package basicauth_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/plugins/basicauth"
)

func load(t *testing.T, e *plugintest.Env, doc string) {
	t.Helper()
	e.Load(doc)
}

// TestDeclarative: consumers with nested basicauth_credentials load with
// their passwords hashed; the export holds the hashes under
// _transform: false, and loading it elsewhere keeps them (Kong's
// config db_export / db_import round trip).
func TestDeclarative(t *testing.T) {
	e := plugintest.New(t, loaded)
	const alice = "11111111-2222-3333-4444-555555555555"
	load(t, e, `_format_version: "3.0"
services:
- name: s
  url: `+e.Upstream.URL+`
  routes:
  - name: r
    paths: ["/"]
    plugins:
    - name: basic-auth
consumers:
- id: `+alice+`
  username: alice
  basicauth_credentials:
  - username: alice-user
    password: kong
- username: bob
  basicauth_credentials:
  - username: bob-user
    password: bond
    tags: [b]
`)
	for _, c := range []struct{ user, password string }{{"alice-user", "kong"}, {"bob-user", "bond"}} {
		res, body := e.Do(plugintest.Request{Path: "/", Header: http.Header{"Authorization": {basic(c.user, c.password)}}})
		if res.StatusCode != 200 || plugintest.DecodeEcho(t, body).Headers.Get("X-Credential-Identifier") != c.user {
			t.Errorf("%s: %d %q", c.user, res.StatusCode, body)
		}
	}
	out := e.Export()
	hash := basicauth.HashPassword(alice, "kong")
	for _, want := range []string{"_transform: false", "basicauth_credentials", hash} {
		if !strings.Contains(string(out), want) {
			t.Errorf("export lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "password: kong") {
		t.Errorf("export holds a password in clear:\n%s", out)
	}

	again := plugintest.New(t, loaded)
	load(t, again, strings.ReplaceAll(string(out), e.Upstream.URL, again.Upstream.URL))
	res, body := again.Do(plugintest.Request{Path: "/", Header: http.Header{"Authorization": {basic("alice-user", "kong")}}})
	if res.StatusCode != 200 {
		t.Errorf("after the round trip: %d %q", res.StatusCode, body)
	}
}
