package acl_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/acl"
	_ "github.com/silverback-gw/silverback/internal/plugins/keyauth"
)

// key-auth authenticates the consumers whose groups acl checks.
var loaded = []string{"key-auth", "acl"}

type fixture struct {
	*plugintest.Env
	route, alice string
}

// setup configures key-auth on a route, with consumer alice (key
// "secret-a").
func setup(t *testing.T) fixture {
	e := plugintest.New(t, loaded)
	f := fixture{Env: e}
	f.route = e.Route(e.Service(), "/")
	e.Plugin("key-auth", plugintest.On("route", f.route), "")
	f.alice = e.Insert("consumers", `{"username":"alice"}`)
	e.Insert("keyauth_credentials", `{"consumer":{"id":"`+f.alice+`"},"key":"secret-a"}`)
	return f
}

// TestACL: key-auth (1250) runs before acl (950), whatever the order they
// were configured in.
func TestACL(t *testing.T) {
	e := plugintest.New(t, loaded)
	route := e.Route(e.Service(), "/")
	e.Plugin("acl", plugintest.On("route", route), `{"allow":["admins"]}`)
	e.Plugin("key-auth", plugintest.On("route", route), "")
	admin := e.Insert("consumers", `{"username":"root"}`)
	user := e.Insert("consumers", `{"username":"bob"}`)
	e.Insert("keyauth_credentials", `{"consumer":{"id":"`+admin+`"},"key":"k-root"}`)
	e.Insert("keyauth_credentials", `{"consumer":{"id":"`+user+`"},"key":"k-bob"}`)
	e.Insert("acls", `{"consumer":{"id":"`+admin+`"},"group":"admins"}`)
	e.Insert("acls", `{"consumer":{"id":"`+admin+`"},"group":"ops"}`)
	e.Insert("acls", `{"consumer":{"id":"`+user+`"},"group":"users"}`)
	if err := e.TryInsert("acls", `{"consumer":{"id":"`+user+`"},"group":"users"}`); err == nil {
		t.Error("duplicate (consumer, group) accepted")
	}

	do := func(key string) (*http.Response, string) {
		return e.Do(plugintest.Request{Path: "/", Header: http.Header{"Apikey": {key}, "Accept": {"application/json"}, "X-Consumer-Groups": {"admins"}}})
	}
	res, body := do("k-root")
	if res.StatusCode != 200 {
		t.Fatalf("admin: %d %q", res.StatusCode, body)
	}
	if g := plugintest.DecodeEcho(t, body).Headers.Get("X-Consumer-Groups"); g != "admins, ops" && g != "ops, admins" {
		t.Errorf("X-Consumer-Groups = %q", g)
	}
	res, body = do("k-bob")
	if res.StatusCode != 403 || !strings.Contains(body, "You cannot consume this service") {
		t.Errorf("user: %d %q", res.StatusCode, body)
	}
	// bob joins admins: the cached groups are invalidated
	e.Insert("acls", `{"consumer":{"id":"`+user+`"},"group":"admins"}`)
	if res, body = do("k-bob"); res.StatusCode != 200 {
		t.Errorf("bob in admins: %d %q", res.StatusCode, body)
	}
}

func TestACLWithoutConsumer(t *testing.T) {
	e := plugintest.New(t, loaded)
	route := e.Route(e.Service(), "/")
	e.Plugin("acl", plugintest.On("route", route), `{"deny":["banned"],"hide_groups_header":true}`)
	res, body := e.Do(plugintest.Request{Path: "/", Header: http.Header{"Accept": {"application/json"}}})
	if res.StatusCode != 401 || !strings.Contains(body, `"message":"Unauthorized"`) {
		t.Errorf("no consumer: %d %q", res.StatusCode, body)
	}
}

func TestACLDeny(t *testing.T) {
	f := setup(t)
	f.Plugin("acl", plugintest.On("route", f.route), `{"deny":["banned"],"hide_groups_header":true}`)
	key := http.Header{"Apikey": {"secret-a"}, "X-Consumer-Groups": {"spoof"}}
	// no groups: a deny list lets the consumer through
	res, body := f.Do(plugintest.Request{Path: "/", Header: key})
	if res.StatusCode != 200 {
		t.Fatalf("no groups: %d %q", res.StatusCode, body)
	}
	f.Insert("acls", `{"consumer":{"id":"`+f.alice+`"},"group":"ok"}`)
	res, body = f.Do(plugintest.Request{Path: "/", Header: key})
	if res.StatusCode != 200 || plugintest.DecodeEcho(t, body).Headers.Get("X-Consumer-Groups") != "" {
		t.Errorf("hidden groups: %d %q", res.StatusCode, body)
	}
	f.Insert("acls", `{"consumer":{"id":"`+f.alice+`"},"group":"banned"}`)
	res, body = f.Do(plugintest.Request{Path: "/", Header: key})
	if res.StatusCode != 403 || !strings.Contains(body, "You cannot consume this service") {
		t.Errorf("banned: %d %q", res.StatusCode, body)
	}
}

// TestAnonymousWithACL: the anonymous consumer has no credential, so an
// allow list refuses it with 401 when it has no allowed group.
func TestAnonymousWithACL(t *testing.T) {
	e := plugintest.New(t, loaded)
	route := e.Route(e.Service(), "/")
	e.Insert("consumers", `{"username":"guest"}`)
	e.Plugin("key-auth", plugintest.On("route", route), `{"anonymous":"guest"}`)
	e.Plugin("acl", plugintest.On("route", route), `{"allow":["gold"]}`)
	res, body := e.Do(plugintest.Request{Path: "/", Header: http.Header{"Accept": {"application/json"}}})
	if res.StatusCode != 401 || !strings.Contains(body, `"message":"Unauthorized"`) {
		t.Errorf("anonymous refused: %d %q", res.StatusCode, body)
	}
}

func TestSchema(t *testing.T) {
	e := plugintest.New(t, loaded)
	if err := e.TryInsert("plugins", `{"name":"acl","config":{"allow":["a"],"deny":["b"]}}`); err == nil {
		t.Error("acl with allow and deny accepted")
	}
	if err := e.TryInsert("plugins", `{"name":"acl","config":{}}`); err == nil {
		t.Error("acl without allow or deny accepted")
	}
}
