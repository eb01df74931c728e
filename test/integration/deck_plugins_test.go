package integration

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/silverback-gw/silverback/internal/testutil/deck"
	"github.com/silverback-gw/silverback/internal/testutil/pgkong"
)

// deckPluginState is a kong.yml with every bundled plugin configured
// somewhere (global, service, route, consumer) and consumers holding every
// kind of credential: what decK must sync and dump without a spurious
// diff. upstreamURL is the service the key-auth route proxies to.
func deckPluginState(t *testing.T, upstreamURL string) string {
	state := map[string]any{
		"_format_version": "3.0",
		"plugins": []any{
			map[string]any{"name": "prometheus", "config": map[string]any{"per_consumer": true}},
			map[string]any{"name": "bot-detection", "config": map[string]any{"deny": []any{"evil-bot"}}},
		},
		"services": []any{
			map[string]any{"name": "api", "url": upstreamURL,
				"plugins": []any{
					map[string]any{"name": "rate-limiting", "config": map[string]any{"minute": 100, "policy": "local"}},
					map[string]any{"name": "response-ratelimiting", "config": map[string]any{
						// Kong fills the record fields of map values with nulls and decK
						// fills no defaults inside maps: a file states them, as a dump does
						"limits": map[string]any{"video": map[string]any{"minute": 10, "second": nil, "hour": nil,
							"day": nil, "month": nil, "year": nil}}}},
					map[string]any{"name": "request-transformer", "config": map[string]any{
						"add": map[string]any{"headers": []any{"x-from:gateway"}}}},
					map[string]any{"name": "http-log", "config": map[string]any{"http_endpoint": "http://127.0.0.1:9/log"}},
					map[string]any{"name": "cors", "config": map[string]any{"origins": []any{"https://example.test"}}},
				},
				"routes": []any{
					map[string]any{"name": "keyed", "paths": []any{"/keyed"}, "plugins": []any{
						map[string]any{"name": "key-auth", "config": map[string]any{"hide_credentials": true}},
						map[string]any{"name": "acl", "config": map[string]any{"allow": []any{"gold"}}},
					}},
					map[string]any{"name": "basic", "paths": []any{"/basic"}, "plugins": []any{
						map[string]any{"name": "basic-auth"},
					}},
					map[string]any{"name": "hmac", "paths": []any{"/hmac"}, "plugins": []any{
						map[string]any{"name": "hmac-auth", "config": map[string]any{"enforce_headers": []any{"date"}}},
					}},
					map[string]any{"name": "jwt", "paths": []any{"/jwt"}, "plugins": []any{
						map[string]any{"name": "jwt", "config": map[string]any{"claims_to_verify": []any{"exp"}}},
					}},
					map[string]any{"name": "oauth", "paths": []any{"/oauth"}, "plugins": []any{
						map[string]any{"name": "oauth2", "config": map[string]any{"enable_client_credentials": true,
							"provision_key": "provision-123", "scopes": []any{"read", "write"}}},
					}},
					map[string]any{"name": "ldap", "paths": []any{"/ldap"}, "plugins": []any{
						map[string]any{"name": "ldap-auth", "config": map[string]any{"ldap_host": "127.0.0.1",
							"base_dn": "dc=example,dc=org", "attribute": "uid"}},
					}},
					map[string]any{"name": "sess", "paths": []any{"/session"}, "plugins": []any{
						map[string]any{"name": "session", "config": map[string]any{"secret": "a-fixed-session-secret-for-the-test"}},
					}},
					map[string]any{"name": "limited", "paths": []any{"/limited"}, "plugins": []any{
						map[string]any{"name": "ip-restriction", "config": map[string]any{"allow": []any{"127.0.0.1", "::1/128"}}},
						map[string]any{"name": "request-size-limiting", "config": map[string]any{"allowed_payload_size": 1}},
						map[string]any{"name": "request-termination", "config": map[string]any{"status_code": 418, "message": "teapot"}},
					}},
				}},
		},
		"consumers": []any{
			map[string]any{"username": "alice", "custom_id": "a-1",
				"keyauth_credentials":   []any{map[string]any{"key": "alice-key"}},
				"basicauth_credentials": []any{map[string]any{"username": "alice", "password": "alice-password"}},
				"hmacauth_credentials":  []any{map[string]any{"username": "alice-hmac", "secret": "alice-hmac-secret"}},
				"jwt_secrets":           []any{map[string]any{"key": "alice-iss", "secret": "alice-jwt-secret", "algorithm": "HS256"}},
				"oauth2_credentials": []any{map[string]any{"name": "alice-app", "client_id": "alice-client",
					"client_secret": "alice-client-secret", "redirect_uris": []any{"https://example.test/cb"},
					// decK fills no credential defaults: a file states them, as a dump does
					"client_type": "confidential", "hash_secret": false}},
				"acls": []any{map[string]any{"group": "gold"}},
				"plugins": []any{
					map[string]any{"name": "rate-limiting", "config": map[string]any{"second": 50, "policy": "local"}},
				}},
			map[string]any{"username": "bob",
				"keyauth_credentials": []any{map[string]any{"key": "bob-key", "tags": []any{"b"}}},
				"acls":                []any{map[string]any{"group": "silver"}}},
		},
	}
	b, err := yaml.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kong.yml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDeckPluginsRoundTrip: decK syncs every bundled plugin and credential
// to a node on the embedded store, the proxy enforces them, and diff, dump
// and the dump's diff find nothing to change.
func TestDeckPluginsRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the decK binary; run without -short (make test builds it)")
	}
	deck.Binary(t)
	deckPluginsRoundTrip(t, start(t, nil))
}

// TestDeckPluginsRoundTripPostgres is the same on PostgreSQL, whose plugin
// tables are Kong's.
func TestDeckPluginsRoundTripPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the decK binary; run without -short (make test builds it)")
	}
	deck.Binary(t)
	db := pgkong.Bootstrapped(t)
	deckPluginsRoundTrip(t, start(t, pgOverrides(db)))
}

func deckPluginsRoundTrip(t *testing.T, n *node) {
	t.Helper()
	file := deckPluginState(t, upstream(t, "api").URL)
	if out, _, err := deck.Run(t, n.admin, "gateway", "sync", file); err != nil {
		t.Fatalf("deck gateway sync: %v\n%s", err, out)
	}
	out, _, err := deck.Run(t, n.admin, "gateway", "diff", "--non-zero-exit-code", file)
	if err != nil || !strings.Contains(out, "Created: 0") || !strings.Contains(out, "Updated: 0") || !strings.Contains(out, "Deleted: 0") {
		t.Errorf("diff after sync is not empty (%v):\n%s", err, out)
	}

	// The proxy enforces what decK wrote: bot-detection (Go's own
	// User-Agent is one of Kong's known bots), then key-auth and acl.
	key := func(k string) int {
		req, _ := http.NewRequest("GET", n.proxy+"/keyed", nil)
		req.Header.Set("User-Agent", "Mozilla/5.0 (deck test)")
		if k == "bot" {
			req.Header.Set("User-Agent", "Go-http-client/1.1")
			k = "alice-key"
		}
		if k != "" {
			req.Header.Set("apikey", k)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	eventually(t, 3*time.Second, "key-auth and acl from decK", func() bool {
		return key("alice-key") == 200 && key("bob-key") == 403 && key("") == 401 && key("bot") == 403
	})

	dumpFile := filepath.Join(t.TempDir(), "dump.yaml")
	if out, _, err := deck.Run(t, n.admin, "gateway", "dump", "-o", dumpFile, "--yes"); err != nil {
		t.Fatalf("deck gateway dump: %v\n%s", err, out)
	}
	dumped := readYAML(t, dumpFile)
	if got := len(asList(dumped["plugins"])); got != 2 {
		t.Errorf("dump has %d global plugins, want 2", got)
	}
	creds := map[string]int{}
	for _, c := range asList(dumped["consumers"]) {
		for k, v := range c.(map[string]any) {
			if l, ok := v.([]any); ok && k != "tags" {
				creds[k] += len(l)
			}
		}
	}
	want := map[string]int{"keyauth_credentials": 2, "basicauth_credentials": 1, "hmacauth_credentials": 1,
		"jwt_secrets": 1, "oauth2_credentials": 1, "acls": 2, "plugins": 1}
	for k, n := range want {
		if creds[k] != n {
			t.Errorf("dump has %d %s under consumers, want %d (all: %v)", creds[k], k, n, creds)
		}
	}
	out, _, err = deck.Run(t, n.admin, "gateway", "diff", "--non-zero-exit-code", dumpFile)
	if err != nil {
		t.Errorf("diff of the dump: %v\n%s", err, out)
	}

	if out, _, err := deck.Run(t, n.admin, "gateway", "reset", "--force"); err != nil {
		t.Fatalf("deck gateway reset: %v\n%s", err, out)
	}
	for _, coll := range []string{"plugins", "consumers", "key-auths", "basic-auths", "hmac-auths", "jwts", "oauth2", "acls"} {
		status, _, body := call(t, "GET", n.admin+"/"+coll, "", "")
		var page struct{ Data []json.RawMessage }
		if status != 200 || json.Unmarshal(body, &page) != nil || len(page.Data) != 0 {
			t.Errorf("after reset GET /%s = %d %s", coll, status, body)
		}
	}
}
