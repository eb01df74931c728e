package hmacauth_test

import (
	"context"
	"maps"
	"net/http"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/store"
)

// TestDeclarative: consumers with nested hmacauth_credentials load from a
// declarative file, a missing secret is generated, and the proxy
// authenticates with them.
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
    - name: hmac-auth
      config:
        enforce_headers: [date]
consumers:
- username: alice
  hmacauth_credentials:
  - username: alice-hmac
    secret: alice-secret
- username: bob
  hmacauth_credentials:
  - username: bob-hmac
    tags: [b]
`
	e.Load(doc)
	ctx := context.Background()
	var bobSecret string
	err := e.DB.View(ctx, func(tx *store.Txn) error {
		r, err := tx.GetBy(ctx, "hmacauth_credentials", "username", "bob-hmac")
		if err == nil {
			bobSecret, _ = r["secret"].(string)
		}
		return err
	})
	if err != nil || len(bobSecret) != 32 {
		t.Fatalf("generated secret %q: %v", bobSecret, err)
	}
	date := now()
	for _, c := range []struct{ user, secret string }{{"alice-hmac", "alice-secret"}, {"bob-hmac", bobSecret}} {
		res, body := e.Do(plugintest.Request{Path: "/", Header: http.Header{"Date": {date},
			"Authorization": {authorization(c.user, "hmac-sha256", "date", sign("hmac-sha256", c.secret, "date: "+date))}}})
		if res.StatusCode != 200 || plugintest.DecodeEcho(t, body).Headers.Get("X-Credential-Identifier") != c.user {
			t.Errorf("%s: %d %q", c.user, res.StatusCode, body)
		}
	}
	// The export is YAML: a generated secret that looks like a number
	// is quoted there, so compare decoded values, not text.
	out := e.Export()
	var exported struct {
		Credentials []struct {
			Username string `yaml:"username"`
			Secret   string `yaml:"secret"`
		} `yaml:"hmacauth_credentials"`
	}
	if err := yaml.Unmarshal([]byte(out), &exported); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, c := range exported.Credentials {
		got[c.Username] = c.Secret
	}
	want := map[string]string{"alice-hmac": "alice-secret", "bob-hmac": bobSecret}
	if !maps.Equal(got, want) {
		t.Errorf("exported credentials %v, want %v:\n%s", got, want, out)
	}
}
