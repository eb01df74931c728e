package jwt_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/store"
)

const invalidToken = `Bearer error="invalid_token"`

func TestJWT(t *testing.T) {
	f := setup(t, "")
	token := aliceToken(t, nil)
	h := bearer(token)
	for k, v := range map[string]string{"X-Consumer-Id": "spoof", "X-Anonymous-Consumer": "true", "X-Credential-Identifier": "spoof"} {
		h.Set(k, v)
	}
	res, body := f.Do(plugintest.Request{Path: "/p", Header: h})
	if res.StatusCode != 200 {
		t.Fatalf("%d %q", res.StatusCode, body)
	}
	up := plugintest.DecodeEcho(t, body)
	want := map[string]string{"X-Consumer-Id": f.alice, "X-Consumer-Username": "alice", "X-Consumer-Custom-Id": "a-1",
		"X-Credential-Identifier": aliceKey, "X-Anonymous-Consumer": "", "Authorization": "Bearer " + token,
		"X-Authenticated-Jwt-Token": token}
	for k, v := range want {
		if got := strings.Join(up.Headers[k], ","); got != v {
			t.Errorf("upstream %s = %q, want %q", k, got, v)
		}
	}
}

// TestRefusals: every refusal of Kong's handler and token parser, with
// its status, exact body and WWW-Authenticate, none reaching the upstream.
func TestRefusals(t *testing.T) {
	f := setup(t, "")
	f.credential(`{"key":"es-no-key","algorithm":"ES256"}`)
	hs := func(claims map[string]any) string { return sign(t, "HS256", []byte(aliceSecret), claims) }
	good := aliceToken(t, nil)
	header64, claims64, _ := strings.Cut(good, ".")
	claims64, _, _ = strings.Cut(claims64, ".")
	noSig := func(header, claims any) string { return forge(header, claims, func(string) []byte { return nil }) }

	cases := []struct {
		name      string
		req       plugintest.Request
		body, www string
	}{
		{"no token", plugintest.Request{}, `{"message":"Unauthorized"}`, "Bearer"},
		{"not bearer", plugintest.Request{Header: http.Header{"Authorization": {"Basic " + good}}}, `{"message":"Unauthorized"}`, "Bearer"},
		{"no iss", plugintest.Request{Header: bearer(hs(map[string]any{"sub": "x"}))}, `{"message":"No mandatory 'iss' in claims"}`, invalidToken},
		{"iss false", plugintest.Request{Header: bearer(hs(map[string]any{"iss": false}))}, `{"message":"No mandatory 'iss' in claims"}`, invalidToken},
		{"empty iss", plugintest.Request{Header: bearer(hs(map[string]any{"iss": ""}))}, `{"message":"Invalid 'iss' in claims"}`, invalidToken},
		{"unknown iss", plugintest.Request{Header: bearer(hs(map[string]any{"iss": "123456789"}))}, `{"message":"No credentials found for given 'iss'"}`, invalidToken},
		{"numeric iss", plugintest.Request{Header: bearer(hs(map[string]any{"iss": 5}))}, `{"message":"No credentials found for given 'iss'"}`, invalidToken},
		{"wrong secret", plugintest.Request{Header: bearer(sign(t, "HS256", []byte("foo"), map[string]any{"iss": aliceKey}))}, `{"message":"Invalid signature"}`, invalidToken},
		{"tampered claims", plugintest.Request{Header: bearer(header64 + "." + segment(map[string]any{"iss": aliceKey, "admin": true}) + good[strings.LastIndex(good, "."):])}, `{"message":"Invalid signature"}`, invalidToken},
		{"alg of another credential", plugintest.Request{Header: bearer(sign(t, "HS512", []byte(aliceSecret), map[string]any{"iss": aliceKey}))}, `{"message":"Invalid algorithm"}`, invalidToken},
		{"corrupted", plugintest.Request{Header: bearer("no-way-this-works" + good)}, `{"message":"Bad token; invalid JSON"}`, invalidToken},
		{"two segments", plugintest.Request{Header: bearer(header64 + "." + claims64)}, `{"message":"Bad token; invalid JSON"}`, invalidToken},
		{"claims not JSON", plugintest.Request{Header: bearer(header64 + "." + base64URL("{nope") + ".c2ln")}, `{"message":"Bad token; invalid JSON"}`, invalidToken},
		{"alg none", plugintest.Request{Header: bearer(noSig(map[string]any{"alg": "none"}, map[string]any{"iss": aliceKey}))}, `{"message":"Bad token; invalid alg"}`, invalidToken},
		{"no alg", plugintest.Request{Header: bearer(noSig(map[string]any{"typ": "JWT"}, map[string]any{"iss": aliceKey}))}, `{"message":"Bad token; invalid alg"}`, invalidToken},
		{"header not an object", plugintest.Request{Header: bearer(noSig("HS256", map[string]any{"iss": aliceKey}))}, `{"message":"Bad token; invalid alg"}`, invalidToken},
		{"header a number", plugintest.Request{Header: bearer(noSig(5, map[string]any{"iss": aliceKey}))}, `{"message":"Bad token; invalid alg"}`, invalidToken},
		{"claims false", plugintest.Request{Header: bearer(noSig(map[string]any{"alg": "HS256"}, false))}, `{"message":"Bad token; invalid claims"}`, invalidToken},
		{"signature not base64url", plugintest.Request{Header: bearer(header64 + "." + claims64 + ".a+b/")}, `{"message":"Bad token; invalid signature"}`, invalidToken},
		{"empty signature", plugintest.Request{Header: bearer(header64 + "." + claims64 + ".")}, `{"message":"Invalid signature"}`, invalidToken},
		{"multiple tokens", plugintest.Request{Path: "/?jwt=" + good, Header: bearer("invalid.jwt.token")}, `{"message":"Multiple tokens provided"}`, invalidToken},
		{"argument without value", plugintest.Request{Path: "/?jwt"}, `{"message":"Unrecognizable token"}`, invalidToken},
		{"no key", plugintest.Request{Header: bearer(forge(map[string]any{"alg": "ES256"}, map[string]any{"iss": "es-no-key"},
			func(string) []byte { return make([]byte, 64) }))}, `{"message":"Invalid key/secret"}`, invalidToken},
	}
	for _, c := range cases {
		if c.req.Path == "" {
			c.req.Path = "/"
		}
		c.req.Header = withAccept(c.req.Header)
		res, body := f.Do(c.req)
		if res.StatusCode != 401 || body != c.body || res.Header.Get("WWW-Authenticate") != c.www ||
			res.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("%s: %d %q %q (%s), want 401 %q %q", c.name, res.StatusCode, body,
				res.Header.Get("WWW-Authenticate"), res.Header.Get("Content-Type"), c.body, c.www)
		}
	}
	if n := f.Upstream.Count.Load(); n != 0 {
		t.Errorf("%d refused requests reached the upstream", n)
	}
}

// TestUnparseableKey: an ES256 credential's key is not validated (as in
// Kong); one that does not parse fails the request with Kong's 500.
func TestUnparseableKey(t *testing.T) {
	f := setup(t, "")
	f.credential(`{"key":"es-bad","algorithm":"ES256","rsa_public_key":"garbage"}`)
	token := forge(map[string]any{"alg": "ES256"}, map[string]any{"iss": "es-bad"}, func(string) []byte { return make([]byte, 64) })
	res, body := f.Do(plugintest.Request{Path: "/", Header: bearer(token)})
	if res.StatusCode != 500 || !strings.Contains(body, "An unexpected error occurred") || f.Upstream.Count.Load() != 0 {
		t.Errorf("%d %q", res.StatusCode, body)
	}
}

// withAccept asks for HTML: Kong's jwt exits with JSON whatever the
// client accepts.
func withAccept(h http.Header) http.Header {
	if h == nil {
		h = http.Header{}
	}
	h.Set("Accept", "text/html")
	return h
}

func TestPreflightAndRealm(t *testing.T) {
	f := setup(t, `{"run_on_preflight":false,"realm":"test-jwt"}`)
	if res, body := f.Do(plugintest.Request{Method: "OPTIONS", Path: "/"}); res.StatusCode != 200 {
		t.Errorf("preflight skipped: %d %q", res.StatusCode, body)
	}
	res, body := f.Get("/")
	if res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") != `Bearer realm="test-jwt"` {
		t.Errorf("no token: %d %v %q", res.StatusCode, res.Header, body)
	}
	res, body = f.Do(plugintest.Request{Path: "/", Header: bearer(sign(t, "HS256", []byte(aliceSecret), map[string]any{"iss": "nobody"}))})
	if res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") != `Bearer realm="test-jwt" error="invalid_token"` {
		t.Errorf("refused token: %d %v %q", res.StatusCode, res.Header, body)
	}

	f = setup(t, "")
	res, body = f.Do(plugintest.Request{Method: "OPTIONS", Path: "/"})
	if res.StatusCode != 401 || body != `{"message":"Unauthorized"}` || res.Header.Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("preflight authenticated: %d %v %q", res.StatusCode, res.Header, body)
	}
}

func TestAnonymous(t *testing.T) {
	for _, ref := range []string{"id", "username"} {
		t.Run(ref, func(t *testing.T) {
			e := plugintest.New(t, loaded)
			route := e.Route(e.Service(), "/")
			anon := e.Insert("consumers", `{"username":"no-body"}`)
			anonymous := map[string]string{"id": anon, "username": "no-body"}[ref]
			e.Plugin("jwt", plugintest.On("route", route), `{"anonymous":"`+anonymous+`"}`)
			e.Plugin(tokenEcho, plugintest.On("route", route), "")
			f := fixture{Env: e}
			f.alice = e.Insert("consumers", `{"username":"alice"}`)
			f.credential(`{"key":"` + aliceKey + `","secret":"` + aliceSecret + `"}`)

			res, body := e.Do(plugintest.Request{Path: "/", Header: bearer(aliceToken(t, nil))})
			if res.StatusCode != 200 {
				t.Fatalf("valid token: %d %q", res.StatusCode, body)
			}
			if up := plugintest.DecodeEcho(t, body).Headers; up.Get("X-Consumer-Username") != "alice" || up.Get("X-Credential-Identifier") != aliceKey ||
				up.Get("X-Anonymous-Consumer") != "" {
				t.Errorf("valid token: %v", up)
			}
			for _, h := range []http.Header{nil, bearer(sign(t, "HS256", []byte("wrong"), map[string]any{"iss": aliceKey}))} {
				if h == nil {
					h = http.Header{}
				}
				h.Set("X-Credential-Identifier", "spoof")
				res, body = e.Do(plugintest.Request{Path: "/", Header: h})
				if res.StatusCode != 200 {
					t.Fatalf("anonymous: %d %q", res.StatusCode, body)
				}
				up := plugintest.DecodeEcho(t, body).Headers
				if up.Get("X-Consumer-Id") != anon || up.Get("X-Consumer-Username") != "no-body" || up.Get("X-Anonymous-Consumer") != "true" ||
					up.Get("X-Credential-Identifier") != "" || up.Get("X-Authenticated-Jwt-Token") != "" {
					t.Errorf("anonymous headers: %v", up)
				}
			}
		})
	}

	// Kong's jwt fails with the generic 500 when the anonymous consumer is missing
	e := plugintest.New(t, loaded)
	e.Plugin("jwt", "", `{"anonymous":"00000000-0000-0000-0000-000000000001"}`)
	e.Route(e.Service(), "/")
	res, body := e.Do(plugintest.Request{Path: "/", Header: http.Header{"Accept": {"application/json"}}})
	if res.StatusCode != 500 || !strings.Contains(body, "An unexpected error occurred") {
		t.Errorf("missing anonymous: %d %q", res.StatusCode, body)
	}
}

// TestLogicalOr: jwt and key-auth both with anonymous authenticate with
// either credential, and fall back to the anonymous consumer.
func TestLogicalOr(t *testing.T) {
	e := plugintest.New(t, loaded)
	route := e.Route(e.Service(), "/")
	e.Insert("consumers", `{"username":"Anonymous"}`)
	e.Plugin("jwt", plugintest.On("route", route), `{"anonymous":"Anonymous"}`)
	e.Plugin("key-auth", plugintest.On("route", route), `{"anonymous":"Anonymous"}`)
	f := fixture{Env: e}
	f.alice = e.Insert("consumers", `{"username":"alice"}`)
	f.credential(`{"key":"` + aliceKey + `","secret":"` + aliceSecret + `"}`)
	bob := e.Insert("consumers", `{"username":"bob"}`)
	bobKey := e.Insert("keyauth_credentials", `{"consumer":{"id":"`+bob+`"},"key":"bob-apikey"}`)

	cases := []struct {
		name, username, credential string
		header                     http.Header
	}{
		{"jwt", "alice", aliceKey, bearer(aliceToken(t, nil))},
		{"key-auth", "bob", bobKey, http.Header{"Apikey": {"bob-apikey"}}},
		{"both", "alice", aliceKey, http.Header{"Apikey": {"bob-apikey"}, "Authorization": {"Bearer " + aliceToken(t, nil)}}},
		{"neither", "Anonymous", "", nil},
	}
	for _, c := range cases {
		res, body := e.Do(plugintest.Request{Path: "/", Header: c.header})
		if res.StatusCode != 200 {
			t.Errorf("%s: %d %q", c.name, res.StatusCode, body)
			continue
		}
		up := plugintest.DecodeEcho(t, body).Headers
		if up.Get("X-Consumer-Username") != c.username || up.Get("X-Credential-Identifier") != c.credential {
			t.Errorf("%s: %v", c.name, up)
		}
	}
}

// TestDeletedSecret: the cache serves the second request, and deleting or
// changing the secret takes effect at once.
func TestDeletedSecret(t *testing.T) {
	f := setup(t, "")
	h := bearer(aliceToken(t, nil))
	for range 2 {
		if res, body := f.Do(plugintest.Request{Path: "/", Header: h}); res.StatusCode != 200 {
			t.Fatalf("%d %q", res.StatusCode, body)
		}
	}
	ctx := context.Background()
	if err := f.DB.Update(ctx, func(tx *store.Txn) error { _, err := tx.Delete(ctx, "jwt_secrets", f.secret); return err }); err != nil {
		t.Fatal(err)
	}
	if res, body := f.Do(plugintest.Request{Path: "/", Header: h}); res.StatusCode != 401 || body != `{"message":"No credentials found for given 'iss'"}` {
		t.Errorf("deleted secret: %d %q", res.StatusCode, body)
	}
	f.credential(`{"key":"` + aliceKey + `","secret":"rotated"}`)
	if res, body := f.Do(plugintest.Request{Path: "/", Header: h}); res.StatusCode != 401 || body != `{"message":"Invalid signature"}` {
		t.Errorf("rotated secret: %d %q", res.StatusCode, body)
	}
	if res, body := f.Do(plugintest.Request{Path: "/", Header: bearer(sign(t, "HS256", []byte("rotated"), map[string]any{"iss": aliceKey}))}); res.StatusCode != 200 {
		t.Errorf("new secret: %d %q", res.StatusCode, body)
	}
	// deleting the consumer cascades to its secrets
	if err := f.DB.Update(ctx, func(tx *store.Txn) error { _, err := tx.Delete(ctx, "consumers", f.alice); return err }); err != nil {
		t.Fatal(err)
	}
	if res, body := f.Do(plugintest.Request{Path: "/", Header: h}); res.StatusCode != 401 {
		t.Errorf("deleted consumer: %d %q", res.StatusCode, body)
	}
}
