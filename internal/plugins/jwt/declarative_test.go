package jwt_test

import (
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

// TestDeclarative: consumers with nested jwt_secrets load from a
// declarative file, the proxy authenticates with them, and they export.
func TestDeclarative(t *testing.T) {
	e := plugintest.New(t, loaded)
	priv, public := signer("RS256", "")
	doc := `_format_version: "3.0"
services:
- name: s
  url: ` + e.Upstream.URL + `
  routes:
  - name: r
    paths: ["/"]
    plugins:
    - name: jwt
      config:
        claims_to_verify: [exp]
consumers:
- username: alice
  jwt_secrets:
  - key: alice-key
    secret: alice-secret
- username: bob
  jwt_secrets:
  - key: bob-rs
    algorithm: RS256
    rsa_public_key: |
      ` + strings.ReplaceAll(strings.TrimSpace(public), "\n", "\n      ") + `
    tags: [b]
`
	e.Load(doc)
	for _, c := range []struct{ user, token string }{
		{"alice", sign(t, "HS256", []byte("alice-secret"), map[string]any{"iss": "alice-key", "exp": farFuture})},
		{"bob", sign(t, "RS256", priv, map[string]any{"iss": "bob-rs", "exp": farFuture})},
	} {
		res, body := e.Do(plugintest.Request{Path: "/", Header: bearer(c.token)})
		if res.StatusCode != 200 || plugintest.DecodeEcho(t, body).Headers.Get("X-Consumer-Username") != c.user {
			t.Errorf("%s: %d %q", c.user, res.StatusCode, body)
		}
	}
	res, body := e.Do(plugintest.Request{Path: "/", Header: bearer(sign(t, "HS256", []byte("alice-secret"), map[string]any{"iss": "alice-key"}))})
	if res.StatusCode != 401 || body != `{"exp":"must be a number"}` {
		t.Errorf("without exp: %d %q", res.StatusCode, body)
	}
	out := e.Export()
	for _, want := range []string{"jwt_secrets:", "key: alice-key", "secret: alice-secret", "algorithm: RS256", "rsa_public_key:", "BEGIN PUBLIC KEY"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("export lacks %q:\n%s", want, out)
		}
	}
}
