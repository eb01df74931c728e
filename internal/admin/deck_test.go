package admin_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/testutil/deck"
)

// TestDeckRoundTrip runs Kong's declarative CLI against the Admin API:
// sync a file, diff it (nothing to change), dump it, then reset.
func TestDeckRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("decK round trip is slow")
	}
	e := newEnv(t)
	cert, key := genCert(t, "deck.example", false)
	ca, _ := genCert(t, "Deck CA", true)
	indent := func(pem string) string {
		return strings.ReplaceAll(strings.TrimSpace(pem), "\n", "\n      ")
	}
	file := `_format_version: "3.0"
services:
- name: svc
  host: example.com
  port: 8080
  tags: [t1]
  routes:
  - name: r1
    paths: [/r1]
    tags: [t1]
  plugins:
  - name: test-plugin
    config:
      minute: 5
    tags: [t1]
upstreams:
- name: up
  tags: [t1]
  targets:
  - target: 10.0.0.1:80
    tags: [t1]
certificates:
- id: 5c3ad4b3-9e29-4f5b-8f34-3a4c1b5a7e10
  cert: |
      ` + indent(cert) + `
  key: |
      ` + indent(key) + `
  tags: [t1]
  snis:
  - name: deck.example
    tags: [t1]
ca_certificates:
- id: 0e4b6a2c-1d3f-4e5a-9b7c-8d9e0f1a2b3c
  cert: |
      ` + indent(ca) + `
  tags: [t1]
consumers:
- username: alice
  tags: [t1]
`
	path := filepath.Join(t.TempDir(), "kong.yaml")
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		out, errOut, err := deck.Run(t, e.srv.URL, args...)
		if err != nil {
			t.Fatalf("deck %v: %v\nstdout:\n%s\nstderr:\n%s", args, err, out, errOut)
		}
		return out
	}
	out := run("gateway", "sync", path)
	if !strings.Contains(out, "Created: 9") {
		t.Errorf("sync:\n%s", out)
	}
	out = run("gateway", "diff", path)
	for _, want := range []string{"Created: 0", "Updated: 0", "Deleted: 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff after sync is not empty:\n%s", out)
			break
		}
	}
	dump := run("gateway", "dump", "-o", "-")
	for _, want := range []string{"name: svc", "name: r1", "minute: 5", "target: 10.0.0.1:80", "deck.example", "username: alice"} {
		if !strings.Contains(dump, want) {
			t.Errorf("dump misses %q:\n%s", want, dump)
		}
	}
	run("gateway", "reset", "--force")
	for _, p := range []string{"/services", "/routes", "/plugins", "/upstreams", "/certificates", "/snis", "/consumers", "/ca_certificates"} {
		check(t, e.req("GET", p, nil), 200, `{"data":[],"next":null}`)
	}
}
