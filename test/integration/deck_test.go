package integration

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/silverback-gw/silverback/internal/testutil/deck"
)

// selfSigned returns a PEM certificate and key for name.
func selfSigned(t *testing.T, name string) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), DNSNames: []string{name}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
}

// deckState is a kong.yml with every entity decK syncs in issue 2's scope.
func deckState(t *testing.T) string {
	cert, key := selfSigned(t, "example.test")
	state := map[string]any{
		"_format_version": "3.0",
		"services": []any{
			map[string]any{"name": "svc1", "url": "http://127.0.0.1:9/api", "tags": []any{"team-a"},
				"routes": []any{
					map[string]any{"name": "r1", "paths": []any{"/one"}, "methods": []any{"GET", "POST"}, "tags": []any{"team-a"}},
					map[string]any{"name": "r2", "hosts": []any{"example.test"}, "strip_path": false},
				}},
			map[string]any{"name": "svc2", "host": "upstream1", "protocol": "http", "port": 80},
		},
		"upstreams": []any{
			map[string]any{"name": "upstream1", "tags": []any{"team-b"},
				"targets": []any{
					map[string]any{"target": "127.0.0.1:9001", "weight": 50},
					map[string]any{"target": "127.0.0.1:9002"},
				}},
		},
		"certificates": []any{
			map[string]any{"id": "8a1b5e2e-4d6f-4c5a-9b3e-2f1d0c9b8a7e", "cert": cert, "key": key,
				"snis": []any{map[string]any{"name": "example.test"}, map[string]any{"name": "*.example.test"}}},
		},
		"consumers": []any{
			map[string]any{"username": "alice", "custom_id": "a-1", "tags": []any{"vip"}},
			map[string]any{"username": "bob"},
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

// TestDeckRoundTrip: decK's gateway sync, diff, dump and reset against a
// node on the embedded store.
func TestDeckRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the decK binary; run without -short (make test builds it)")
	}
	deck.Binary(t) // build before starting the node
	deckRoundTrip(t, start(t, nil))
}

// deckRoundTrip syncs deckState to n with decK, diffs, dumps, diffs the
// dump and resets, checking each step's effect on the Admin API.
func deckRoundTrip(t *testing.T, n *node) {
	t.Helper()
	file := deckState(t)

	if out, _, err := deck.Run(t, n.admin, "gateway", "sync", file); err != nil {
		t.Fatalf("deck gateway sync: %v\n%s", err, out)
	}
	out, _, err := deck.Run(t, n.admin, "gateway", "diff", "--non-zero-exit-code", file)
	if err != nil {
		t.Fatalf("deck gateway diff after sync reports changes or fails: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Created: 0") || !strings.Contains(out, "Updated: 0") || !strings.Contains(out, "Deleted: 0") {
		t.Errorf("diff after sync is not empty:\n%s", out)
	}

	dumpFile := filepath.Join(t.TempDir(), "dump.yaml")
	if out, _, err := deck.Run(t, n.admin, "gateway", "dump", "-o", dumpFile, "--yes"); err != nil {
		t.Fatalf("deck gateway dump: %v\n%s", err, out)
	}
	dumped := readYAML(t, dumpFile)
	wantCounts := map[string]int{"services": 2, "upstreams": 1, "certificates": 1, "consumers": 2}
	for k, want := range wantCounts {
		if got := len(asList(dumped[k])); got != want {
			t.Errorf("dump has %d %s, want %d", got, k, want)
		}
	}
	// The dump, synced back, changes nothing.
	out, _, err = deck.Run(t, n.admin, "gateway", "diff", "--non-zero-exit-code", dumpFile)
	if err != nil {
		t.Errorf("diff of the dump: %v\n%s", err, out)
	}

	// Admin API sees what decK wrote.
	status, _, body := call(t, "GET", n.admin+"/certificates/8a1b5e2e-4d6f-4c5a-9b3e-2f1d0c9b8a7e", "", "")
	var cert struct{ SNIs []string }
	if status != 200 || json.Unmarshal(body, &cert) != nil || strings.Join(cert.SNIs, ",") != "*.example.test,example.test" {
		t.Errorf("certificate after sync: %d %s", status, body)
	}

	if out, _, err := deck.Run(t, n.admin, "gateway", "reset", "--force"); err != nil {
		t.Fatalf("deck gateway reset: %v\n%s", err, out)
	}
	for _, coll := range []string{"services", "routes", "upstreams", "certificates", "snis", "consumers"} {
		status, _, body := call(t, "GET", n.admin+"/"+coll, "", "")
		var page struct{ Data []any }
		if status != 200 || json.Unmarshal(body, &page) != nil || len(page.Data) != 0 {
			t.Errorf("after reset GET /%s = %d %s", coll, status, body)
		}
	}
}

func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
