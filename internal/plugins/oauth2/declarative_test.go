package oauth2_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

// TestDeclarative: consumers with nested oauth2_credentials (one with a
// hashed secret) load from a declarative file and serve the token
// endpoint; the export holds the credentials, the secret hashed, and
// _transform false keeps it so on reload.
func TestDeclarative(t *testing.T) {
	e := plugintest.New(t, loaded, trusted)
	doc := `_format_version: "3.0"
services:
- name: s
  url: ` + e.Upstream.URL + `
  routes:
  - name: r
    paths: ["/"]
    plugins:
    - name: oauth2
      config:
        provision_key: provision123
        enable_client_credentials: true
        accept_http_if_already_terminated: true
consumers:
- username: alice
  oauth2_credentials:
  - name: app
    client_id: alice-app
    client_secret: alice-secret
    redirect_uris: [http://alice.test/cb]
- username: bob
  oauth2_credentials:
  - name: app
    client_id: bob-app
    client_secret: bob-secret
    hash_secret: true
    client_type: confidential
    tags: [b]
`
	e.Load(doc)
	f := fixture{Env: e}
	authenticate := func(client, secret, username string) {
		t.Helper()
		status, body, _ := f.post("/oauth2/token", url.Values{"client_id": {client}, "client_secret": {secret},
			"grant_type": {"client_credentials"}})
		if status != 200 {
			t.Fatalf("%s: %d %v", client, status, body)
		}
		res, raw := f.bearer("/", str(body["access_token"]))
		if up := plugintest.DecodeEcho(t, raw); res.StatusCode != 200 || up.Headers.Get("X-Consumer-Username") != username ||
			up.Headers.Get("X-Credential-Identifier") != client {
			t.Errorf("%s proxied: %d %q", client, res.StatusCode, raw)
		}
	}
	authenticate("alice-app", "alice-secret", "alice")
	authenticate("bob-app", "bob-secret", "bob")

	out := e.Export()
	text := string(out)
	if !containsAll(text, "oauth2_credentials", "client_id: alice-app", "client_secret: alice-secret", "$pbkdf2-sha512$i=10000,l=32$") ||
		strings.Contains(text, "bob-secret") || strings.Contains(text, "oauth2_authorization_codes") {
		t.Errorf("export:\n%s", text)
	}
	e.Load(text)
	authenticate("bob-app", "bob-secret", "bob")
}
