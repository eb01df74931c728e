package basicauth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/basicauth"
	_ "github.com/silverback-gw/silverback/internal/plugins/keyauth"
	"github.com/silverback-gw/silverback/internal/store"
)

var loaded = []string{"basic-auth", "key-auth"}

// message is the message of Kong's JSON error body.
func message(t *testing.T, body string) string {
	t.Helper()
	var m struct{ Message string }
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not a JSON error: %q", body)
	}
	return m.Message
}

// basic is a Basic header value for user and password.
func basic(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

type fixture struct {
	*plugintest.Env
	route, alice, cred string
}

// setup configures basic-auth on a route, and alice's credential
// "alice-user" with a password holding a colon.
func setup(t testing.TB, config string) fixture {
	e := plugintest.New(t, loaded)
	f := fixture{Env: e}
	f.route = e.Route(e.Service(), "/")
	e.Plugin("basic-auth", plugintest.On("route", f.route), config)
	f.alice = e.Insert("consumers", `{"username":"alice","custom_id":"a-1"}`)
	f.cred = e.Insert("basicauth_credentials", `{"consumer":{"id":"`+f.alice+`"},"username":"alice-user","password":"pa:ss"}`)
	return f
}

func TestRefused(t *testing.T) {
	f := setup(t, "")
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		name   string
		header http.Header
	}{
		{"no header", nil},
		{"empty", http.Header{"Authorization": {""}}},
		{"wrong password", http.Header{"Authorization": {basic("alice-user", "pa:sS")}}},
		{"unknown user", http.Header{"Authorization": {basic("bob", "pa:ss")}}},
		{"other scheme", http.Header{"Authorization": {"Bearer " + b64("alice-user:pa:ss")}}},
		{"upper-case scheme", http.Header{"Authorization": {"BASIC " + b64("alice-user:pa:ss")}}},
		{"not base64", http.Header{"Authorization": {"Basic !!!"}}},
		{"one base64 character too many", http.Header{"Authorization": {"Basic " + strings.TrimRight(b64("alice-user:pa:ss"), "=") + "A"}}},
		{"no colon", http.Header{"Authorization": {"Basic " + b64("alice-user")}}},
		{"no username", http.Header{"Authorization": {"Basic " + b64(":")}}},
		{"proxy-authorization wrong password, authorization right", http.Header{
			"Proxy-Authorization": {basic("alice-user", "nope")}, "Authorization": {basic("alice-user", "pa:ss")}}},
	}
	for _, c := range cases {
		c.header = c.header.Clone()
		if c.header == nil {
			c.header = http.Header{}
		}
		c.header.Set("Accept", "application/json")
		res, body := f.Do(plugintest.Request{Path: "/", Header: c.header})
		if res.StatusCode != 401 || message(t, body) != "Unauthorized" || res.Header.Get("WWW-Authenticate") != `Basic realm="service"` {
			t.Errorf("%s: %d %v %q", c.name, res.StatusCode, res.Header, body)
		}
	}
	if n := f.Upstream.Count.Load(); n != 0 {
		t.Errorf("%d refused requests reached the upstream", n)
	}
}

func TestAllowed(t *testing.T) {
	f := setup(t, "")
	b64 := base64.StdEncoding.EncodeToString([]byte("alice-user:pa:ss"))
	cases := []struct {
		name   string
		header http.Header
	}{
		{"authorization", http.Header{"Authorization": {basic("alice-user", "pa:ss")}}},
		{"lower-case scheme", http.Header{"Authorization": {"basic " + b64}}},
		{"no space, text before", http.Header{"Authorization": {"xBasic" + b64}}},
		{"unpadded", http.Header{"Authorization": {"Basic " + strings.TrimRight(b64, "=")}}},
		{"garbage after padding", http.Header{"Authorization": {"Basic " + b64 + "==garbage"}}},
		{"proxy-authorization", http.Header{"Proxy-Authorization": {basic("alice-user", "pa:ss")}}},
		{"proxy-authorization of an unknown user, authorization right", http.Header{
			"Proxy-Authorization": {basic("bob", "x")}, "Authorization": {basic("alice-user", "pa:ss")}}},
		{"proxy-authorization right, authorization wrong", http.Header{
			"Proxy-Authorization": {basic("alice-user", "pa:ss")}, "Authorization": {basic("alice-user", "nope")}}},
	}
	for _, c := range cases {
		// spoofed consumer headers are replaced
		h := c.header.Clone()
		h.Set("X-Consumer-Id", "spoof")
		h.Set("X-Anonymous-Consumer", "true")
		h.Set("X-Credential-Identifier", "spoof")
		res, body := f.Do(plugintest.Request{Path: "/", Header: h})
		if res.StatusCode != 200 {
			t.Errorf("%s: %d %q", c.name, res.StatusCode, body)
			continue
		}
		up := plugintest.DecodeEcho(t, body)
		want := map[string]string{"X-Consumer-Id": f.alice, "X-Consumer-Username": "alice", "X-Consumer-Custom-Id": "a-1",
			"X-Credential-Identifier": "alice-user", "X-Anonymous-Consumer": "",
			"Authorization": c.header.Get("Authorization"), "Proxy-Authorization": c.header.Get("Proxy-Authorization")}
		for k, v := range want {
			if got := strings.Join(up.Headers[k], ","); got != v {
				t.Errorf("%s: upstream %s = %q, want %q", c.name, k, got, v)
			}
		}
	}
}

// TestHideCredentials: the header the credentials came in is removed, and
// Proxy-Authorization whenever it was read.
func TestHideCredentials(t *testing.T) {
	f := setup(t, `{"hide_credentials":true}`)
	good, unknown := basic("alice-user", "pa:ss"), basic("bob", "x")
	cases := []struct {
		name                 string
		header               http.Header
		authorization, proxy string // what reaches the upstream
	}{
		{"authorization", http.Header{"Authorization": {good}}, "", ""},
		{"proxy-authorization", http.Header{"Proxy-Authorization": {good}, "Authorization": {"Bearer t"}}, "Bearer t", ""},
		{"proxy-authorization unknown", http.Header{"Proxy-Authorization": {unknown}, "Authorization": {good}}, "", ""},
		{"proxy-authorization not basic", http.Header{"Proxy-Authorization": {"Bearer t"}, "Authorization": {good}}, "", ""},
	}
	for _, c := range cases {
		res, body := f.Do(plugintest.Request{Path: "/", Header: c.header})
		if res.StatusCode != 200 {
			t.Errorf("%s: %d %q", c.name, res.StatusCode, body)
			continue
		}
		up := plugintest.DecodeEcho(t, body)
		if got := up.Headers.Get("Authorization"); got != c.authorization {
			t.Errorf("%s: upstream Authorization %q, want %q", c.name, got, c.authorization)
		}
		if got := up.Headers.Get("Proxy-Authorization"); got != c.proxy {
			t.Errorf("%s: upstream Proxy-Authorization %q, want %q", c.name, got, c.proxy)
		}
	}
}

func TestAnonymous(t *testing.T) {
	f := setup(t, `{"anonymous":"guest"}`)
	anon := f.Insert("consumers", `{"username":"guest"}`)
	res, body := f.Do(plugintest.Request{Path: "/", Header: http.Header{"Authorization": {basic("alice-user", "nope")},
		"X-Consumer-Custom-Id": {"spoof"}, "X-Credential-Identifier": {"spoof"}}})
	if res.StatusCode != 200 {
		t.Fatalf("anonymous: %d %q", res.StatusCode, body)
	}
	up := plugintest.DecodeEcho(t, body)
	if up.Headers.Get("X-Consumer-Id") != anon || up.Headers.Get("X-Consumer-Username") != "guest" ||
		up.Headers.Get("X-Anonymous-Consumer") != "true" ||
		up.Headers.Get("X-Consumer-Custom-Id") != "" || up.Headers.Get("X-Credential-Identifier") != "" {
		t.Errorf("anonymous headers: %v", up.Headers)
	}
	// valid credentials still authenticate
	res, body = f.Do(plugintest.Request{Path: "/", Header: http.Header{"Authorization": {basic("alice-user", "pa:ss")}}})
	if res.StatusCode != 200 || plugintest.DecodeEcho(t, body).Headers.Get("X-Consumer-Id") != f.alice {
		t.Errorf("credentials with anonymous: %d %q", res.StatusCode, body)
	}

	g := setup(t, `{"anonymous":"nobody"}`)
	res, body = g.Do(plugintest.Request{Path: "/", Header: http.Header{"Accept": {"application/json"}}})
	if res.StatusCode != 500 || !strings.Contains(body, "An unexpected error occurred") {
		t.Errorf("missing anonymous: %d %q", res.StatusCode, body)
	}
}

// TestLogicalOr: with anonymous, basic-auth leaves a request key-auth
// (which runs first) authenticated; without, both must succeed.
func TestLogicalOr(t *testing.T) {
	for _, c := range []struct {
		name, config string
		status       int
	}{{"or", `{"anonymous":"guest"}`, 200}, {"and", "", 401}} {
		t.Run(c.name, func(t *testing.T) {
			f := setup(t, c.config)
			f.Insert("consumers", `{"username":"guest"}`)
			f.Plugin("key-auth", plugintest.On("route", f.route), `{"anonymous":"guest"}`)
			bob := f.Insert("consumers", `{"username":"bob"}`)
			f.Insert("keyauth_credentials", `{"consumer":{"id":"`+bob+`"},"key":"bob-key"}`)
			res, body := f.Do(plugintest.Request{Path: "/", Header: http.Header{"Apikey": {"bob-key"}}})
			if res.StatusCode != c.status {
				t.Fatalf("%d %q", res.StatusCode, body)
			}
			if c.status == 200 && plugintest.DecodeEcho(t, body).Headers.Get("X-Consumer-Id") != bob {
				t.Errorf("not key-auth's consumer: %q", body)
			}
		})
	}
}

func TestRealm(t *testing.T) {
	f := setup(t, `{"realm":"api"}`)
	if res, body := f.Get("/"); res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") != `Basic realm="api"` {
		t.Errorf("%d %v %q", res.StatusCode, res.Header, body)
	}
}

// TestPasswordChange: the cache follows a password update and the
// credential's deletion.
func TestPasswordChange(t *testing.T) {
	f := setup(t, "")
	old, updated := http.Header{"Authorization": {basic("alice-user", "pa:ss")}}, http.Header{"Authorization": {basic("alice-user", "new")}}
	if res, body := f.Do(plugintest.Request{Path: "/", Header: old}); res.StatusCode != 200 {
		t.Fatalf("before: %d %q", res.StatusCode, body)
	}
	ctx := context.Background()
	err := f.DB.Update(ctx, func(tx *store.Txn) error {
		_, err := tx.Update(ctx, "basicauth_credentials", f.cred, map[string]any{"password": "new", "consumer": map[string]any{"id": f.alice}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := f.Do(plugintest.Request{Path: "/", Header: old}); res.StatusCode != 401 {
		t.Errorf("old password: %d", res.StatusCode)
	}
	if res, body := f.Do(plugintest.Request{Path: "/", Header: updated}); res.StatusCode != 200 {
		t.Errorf("new password: %d %q", res.StatusCode, body)
	}
	if err := f.DB.Update(ctx, func(tx *store.Txn) error { _, err := tx.Delete(ctx, "basicauth_credentials", f.cred); return err }); err != nil {
		t.Fatal(err)
	}
	if res, _ := f.Do(plugintest.Request{Path: "/", Header: updated}); res.StatusCode != 401 {
		t.Errorf("deleted credential: %d", res.StatusCode)
	}
}

func TestNotOnConsumer(t *testing.T) {
	e := plugintest.New(t, loaded)
	c := e.Insert("consumers", `{"username":"c"}`)
	if err := e.TryInsert("plugins", `{"name":"basic-auth","consumer":{"id":"`+c+`"}}`); err == nil {
		t.Error("basic-auth on a consumer accepted")
	}
}
