package admin_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/admin"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	_ "github.com/silverback-gw/silverback/internal/plugins/acl"
	_ "github.com/silverback-gw/silverback/internal/plugins/keyauth"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/memory"
)

// newCredentialEnv is an Admin API with key-auth and acl loaded: their
// entities are in the catalog.
func newCredentialEnv(t *testing.T) *env {
	t.Helper()
	plugins, err := plugin.Load([]string{"key-auth", "acl"})
	if err != nil {
		t.Fatal(err)
	}
	cat := entities.NewCatalog(plugins, plugins.Entities()...)
	db := store.New(memory.New(cat), cat)
	h := admin.New(admin.Options{
		DB: func() *store.DB { return db }, Plugins: plugins,
		Node: admin.NodeInfo{Version: testVersion, NodeID: "6d5a3bb4-6b2a-4d5e-9d3c-0d0c0e0f1a2b", Hostname: "h", Database: "sqlite"},
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, db: db, handler: h, catalog: cat, plugins: plugins}
}

func TestKeyAuthCredentials(t *testing.T) {
	e := newCredentialEnv(t)
	c := e.must(201, "POST", "/consumers", map[string]any{"username": "alice"})
	cid := c["id"].(string)

	created := e.must(201, "POST", "/consumers/alice/key-auth", map[string]any{"key": "k1", "tags": []any{"t"}})
	id := created["id"].(string)
	check(t, e.req("GET", "/consumers/alice/key-auth/k1", nil), 200, map[string]any{
		"id": id, "created_at": created["created_at"], "consumer": map[string]any{"id": cid},
		"key": "k1", "tags": []any{"t"},
	})
	// auto key
	auto := e.must(201, "POST", "/consumers/"+cid+"/key-auth", map[string]any{})
	if k, _ := auto["key"].(string); len(k) != 32 {
		t.Errorf("auto key %q", k)
	}
	check(t, e.req("GET", "/key-auths/k1", nil), 200, skip)
	check(t, e.req("GET", "/key-auths/k1/consumer", nil), 200, skip)
	list := e.must(200, "GET", "/consumers/alice/key-auth", nil)
	if data := list["data"].([]any); len(data) != 2 {
		t.Errorf("list: %v", list)
	}
	r := e.req("POST", "/key-auths", map[string]any{"consumer": map[string]any{"id": cid}, "key": "k1"})
	if r.status != 409 || !strings.Contains(string(r.raw), `"unique constraint violation"`) {
		t.Errorf("duplicate key: %d %s", r.status, r.raw)
	}
	check(t, e.req("POST", "/key-auths", map[string]any{"key": "k9"}), 400, map[string]any{
		"code": 2.0, "name": "schema violation", "message": "schema violation (consumer: required field missing)",
		"fields": map[string]any{"consumer": "required field missing"},
	})
	check(t, e.req("POST", "/consumers/alice/key-auth", map[string]any{"ttl": -1}), 400, map[string]any{
		"code": 11.0, "name": "invalid options", "message": "invalid option (ttl: must be an integer between 0 and 100000000)",
		"options": map[string]any{"ttl": "must be an integer between 0 and 100000000"},
	})
	check(t, e.req("DELETE", "/consumers/alice/key-auth/k1", nil), 204, nil)
	check(t, e.req("GET", "/key-auths/k1", nil), 404, map[string]any{"message": "Not found"})
	// the consumer's deletion cascades
	e.must(204, "DELETE", "/consumers/alice", nil)
	if data := e.must(200, "GET", "/key-auths", nil)["data"].([]any); len(data) != 0 {
		t.Errorf("credentials left: %v", data)
	}
}

func TestACLGroups(t *testing.T) {
	e := newCredentialEnv(t)
	cid := e.must(201, "POST", "/consumers", map[string]any{"username": "bob"})["id"].(string)
	created := e.must(201, "POST", "/consumers/bob/acls", map[string]any{"group": "admins"})
	check(t, e.req("GET", "/consumers/bob/acls/admins", nil), 200, map[string]any{
		"id": created["id"], "created_at": created["created_at"], "consumer": map[string]any{"id": cid},
		"group": "admins", "tags": nil,
	})
	check(t, e.req("GET", "/consumers/bob/acls/"+created["id"].(string), nil), 200, skip)
	check(t, e.req("GET", "/consumers/bob/acls/nope", nil), 404, map[string]any{"message": "Not found"})
	r := e.req("POST", "/consumers/bob/acls", map[string]any{"group": "admins"})
	if r.status != 409 {
		t.Errorf("duplicate group: %d %s", r.status, r.raw)
	}
	// PUT by an unknown group creates it
	put := e.must(200, "PUT", "/consumers/bob/acls/ops", map[string]any{})
	if put["group"] != "ops" {
		t.Errorf("PUT by group: %v", put)
	}
	check(t, e.req("PATCH", "/consumers/bob/acls/ops", map[string]any{"tags": []any{"x"}}), 200, skip)
	check(t, e.req("DELETE", "/consumers/bob/acls/admins", nil), 204, nil)
	check(t, e.req("GET", "/consumers/bob/acls/admins", nil), 404, skip)
	if data := e.must(200, "GET", "/acls", nil)["data"].([]any); len(data) != 1 {
		t.Errorf("acls: %v", data)
	}
	check(t, e.req("GET", "/consumers/bob/acls/ops/consumer", nil), 404, skip)
}

// The node's entity cache serves /cache.
var _ admin.Cache = (*plugin.Cache)(nil)

// TestCredentialTTLAnswered: a credential created with a ttl answers the
// whole seconds left, rounded down as Kong's RETURNING does, so 9 for a
// ttl of 10 (go-kong's TestKeyAuthCreateWithTTL).
func TestCredentialTTLAnswered(t *testing.T) {
	e := newCredentialEnv(t)
	e.must(201, "POST", "/consumers", map[string]any{"username": "alice"})
	created := e.must(201, "POST", "/consumers/alice/key-auth", map[string]any{"key": "k1", "ttl": 10})
	if ttl, _ := created["ttl"].(float64); ttl != 9 {
		t.Errorf("created ttl = %v, want 9", created["ttl"])
	}
	got := e.must(200, "GET", "/key-auths/k1", nil)
	if ttl, _ := got["ttl"].(float64); ttl < 8 || ttl > 9 {
		t.Errorf("read ttl = %v", got["ttl"])
	}
}
