package ldapauth_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/testutil/ldaptest"
)

// TestBindCache: an outcome, accepted or refused, is cached for
// cache_ttl under Kong's key: the same credentials bind once, even with
// the server gone, and again once cache_ttl passed.
func TestBindCache(t *testing.T) {
	f := setup(t, map[string]any{"cache_ttl": 1})
	good := http.Header{"Authorization": {"ldap " + basic("einstein:password")}}
	bad := http.Header{"Authorization": {"ldap " + basic("einstein:wrong")}}
	for i := range 3 {
		if res, body := f.Do(plugintest.Request{Path: "/", Header: good}); res.StatusCode != 200 {
			t.Fatalf("good %d: %d %q", i, res.StatusCode, body)
		}
		if res, body := f.Do(plugintest.Request{Path: "/", Header: bad}); res.StatusCode != 401 {
			t.Fatalf("bad %d: %d %q", i, res.StatusCode, body)
		}
	}
	if n := f.ldap.Binds(einstein); n != 2 {
		t.Fatalf("binds: %d, want 2 (one per password)", n)
	}

	// Kong's key and cached credential, as GET /cache/{key} shows them
	sum := sha256.Sum256([]byte("127.0.0.1:" + strconv.Itoa(f.ldap.Port) + ":" + ldaptest.PeopleDN + ":uid:1:einstein:password"))
	key := "ldap_auth_cache:" + hex.EncodeToString(sum[:])
	v, ok := f.Runtime.Cache().Probe(key)
	if b, _ := json.Marshal(v); !ok || string(b) != `{"id":"`+key+`","username":"einstein"}` {
		t.Errorf("cached under %s: %v %s", key, ok, b)
	}

	f.ldap.Stop()
	if res, body := f.Do(plugintest.Request{Path: "/", Header: good}); res.StatusCode != 200 {
		t.Errorf("cached, server stopped: %d %q", res.StatusCode, body)
	}
	f.ldap.Restart()
	time.Sleep(1100 * time.Millisecond)
	for _, h := range []http.Header{good, bad} {
		f.Do(plugintest.Request{Path: "/", Header: h})
	}
	if n := f.ldap.Binds(einstein); n != 4 {
		t.Errorf("binds after cache_ttl: %d, want 4", n)
	}
}

// TestServerDown: without server Kong answers 500, anonymous or not, and
// caches that for cache_ttl: the server back, the same credentials still
// fail until it passed.
func TestServerDown(t *testing.T) {
	f := setup(t, map[string]any{"cache_ttl": 1})
	anon := f.Insert("consumers", `{"username":"anon"}`)
	f.Plugin("ldap-auth", plugintest.On("route", f.Route(f.Service(), "/anonymous")),
		ldapConfig(f.ldap.Port, map[string]any{"anonymous": anon}))
	f.ldap.Stop()
	good := http.Header{"Authorization": {"ldap " + basic("einstein:password")}, "Accept": {"application/json"}}
	for _, r := range []plugintest.Request{
		{Path: "/", Header: good},
		{Path: "/", Header: http.Header{"Proxy-Authorization": good["Authorization"]}},
		{Path: "/anonymous", Header: http.Header{"Authorization": {"ldap " + basic("newton:apple:tree")}}},
	} {
		res, body := f.Do(r)
		if res.StatusCode != 500 || message(t, body) != "An unexpected error occurred" {
			t.Errorf("server down, %s %v: %d %q", r.Path, r.Header, res.StatusCode, body)
		}
	}
	if f.Upstream.Count.Load() != 0 {
		t.Error("the request reached the upstream")
	}
	f.ldap.Restart()
	if res, body := f.Do(plugintest.Request{Path: "/", Header: good}); res.StatusCode != 500 {
		t.Errorf("server back, failure cached: %d %q", res.StatusCode, body)
	}
	time.Sleep(1100 * time.Millisecond)
	if res, body := f.Do(plugintest.Request{Path: "/", Header: good}); res.StatusCode != 200 {
		t.Errorf("after cache_ttl: %d %q", res.StatusCode, body)
	}
}
