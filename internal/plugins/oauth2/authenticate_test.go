package oauth2_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/jwt"
)

const (
	invalidChallenge = `Bearer error="invalid_token" error_description="The access token is invalid or has expired"`
	invalidBody      = `{"error":"invalid_token","error_description":"The access token is invalid or has expired"}`
)

// clientToken returns a client_credentials token of clientid123 issued
// at path.
func (f fixture) clientToken(path string) string {
	f.T.Helper()
	status, body, _ := f.post(path, url.Values{"client_id": {"clientid123"}, "client_secret": {"secret123"},
		"grant_type": {"client_credentials"}})
	if status != 200 {
		f.T.Fatalf("token: %d %v", status, body)
	}
	return str(body["access_token"])
}

// TestAccessTokenRefusals: Kong's 401s of the proxy authentication.
func TestAccessTokenRefusals(t *testing.T) {
	f := setup(t, "")
	res, body := f.Get("/")
	if res.StatusCode != 401 || body != `{"error":"invalid_request","error_description":"The access token is missing"}` ||
		res.Header.Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("missing: %d %v %q", res.StatusCode, res.Header, body)
	}
	for _, auth := range []string{"Bearer nope", "nope", "Basic " + f.clientToken("/oauth2/token")} {
		res, body = f.Do(plugintest.Request{Path: "/", Header: http.Header{"Authorization": {auth}}})
		if res.StatusCode != 401 || body != invalidBody || res.Header.Get("WWW-Authenticate") != invalidChallenge {
			t.Errorf("%q: %d %v %q", auth, res.StatusCode, res.Header, body)
		}
	}
	if f.Upstream.Count.Load() != 0 {
		t.Error("a refused request reached the upstream")
	}

	realm := setup(t, `"realm":"r"`)
	if res, _ := realm.Get("/"); res.Header.Get("WWW-Authenticate") != `Bearer realm="r"` {
		t.Errorf("realm missing: %q", res.Header.Get("WWW-Authenticate"))
	}
	if res, _ := realm.bearer("/", "nope"); res.Header.Get("WWW-Authenticate") != `Bearer realm="r" error="invalid_token" error_description="The access token is invalid or has expired"` {
		t.Errorf("realm invalid: %q", res.Header.Get("WWW-Authenticate"))
	}
}

// TestAccessTokenSources: the token in the auth header (Bearer or Token,
// custom header name), the query or a form body; hide_credentials removes
// it from what goes upstream.
func TestAccessTokenSources(t *testing.T) {
	f := setup(t, `"auth_header_name":"x-auth"`)
	tok := f.clientToken("/oauth2/token")
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	for _, r := range []plugintest.Request{
		{Path: "/", Header: http.Header{"X-Auth": {"Token " + tok}}},
		{Path: "/?access_token=" + tok},
		{Method: "POST", Path: "/", Body: "access_token=" + tok, Header: form},
		{Method: "POST", Path: "/", Body: `{"access_token":"` + tok + `"}`, Header: http.Header{"Content-Type": {"application/json"}}},
	} {
		if res, body := f.Do(r); res.StatusCode != 200 {
			t.Errorf("%s %s: %d %q", r.Method, r.Path, res.StatusCode, body)
		}
	}
	// Authorization is not the configured header
	if res, _ := f.bearer("/", tok); res.StatusCode != 401 {
		t.Errorf("authorization header: %d", res.StatusCode)
	}

	h := setup(t, `"hide_credentials":true`)
	tok = h.clientToken("/oauth2/token")
	res, body := h.Do(plugintest.Request{Path: "/p?a=1", Header: http.Header{"Authorization": {"Bearer " + tok}}})
	if up := plugintest.DecodeEcho(t, body); res.StatusCode != 200 || up.Headers.Get("Authorization") != "" || up.URI != "/p?a=1" {
		t.Errorf("header hidden: %d %q", res.StatusCode, body)
	}
	res, body = h.Get("/p?access_token=" + tok + "&a=1")
	if up := plugintest.DecodeEcho(t, body); res.StatusCode != 200 || up.URI != "/p?a=1" {
		t.Errorf("query hidden: %d %q", res.StatusCode, body)
	}
	res, body = h.Do(plugintest.Request{Method: "POST", Path: "/", Body: "b=2&access_token=" + tok, Header: form})
	if up := plugintest.DecodeEcho(t, body); res.StatusCode != 200 || up.Body != "b=2" {
		t.Errorf("body hidden: %d %q", res.StatusCode, body)
	}
}

// TestTokenExpiry: an access token stops working token_expiration
// seconds after it was issued; its refresh token still works.
func TestTokenExpiry(t *testing.T) {
	f := setup(t, `"token_expiration":1`)
	status, tok, _ := f.post("/oauth2/token", url.Values{"client_id": {"clientid123"}, "client_secret": {"secret123"},
		"grant_type": {"password"}, "provision_key": {"provision123"}, "authenticated_userid": {"u"}})
	if status != 200 || tok["expires_in"] != float64(1) {
		t.Fatalf("token: %d %v", status, tok)
	}
	if res, body := f.bearer("/", str(tok["access_token"])); res.StatusCode != 200 {
		t.Fatalf("fresh token: %d %q", res.StatusCode, body)
	}
	time.Sleep(2100 * time.Millisecond)
	res, body := f.bearer("/", str(tok["access_token"]))
	if res.StatusCode != 401 || body != invalidBody || res.Header.Get("WWW-Authenticate") != invalidChallenge {
		t.Errorf("expired token: %d %q", res.StatusCode, body)
	}
	status, next := refresh(f, str(tok["refresh_token"]))
	if status != 200 {
		t.Fatalf("refresh: %d %v", status, next)
	}
	if res, body := f.bearer("/", str(next["access_token"])); res.StatusCode != 200 {
		t.Errorf("refreshed token: %d %q", res.StatusCode, body)
	}
}

// TestNoExpiration: token_expiration 0 gives tokens that never expire,
// without expires_in or refresh token.
func TestNoExpiration(t *testing.T) {
	f := setup(t, `"token_expiration":0`)
	status, tok, _ := f.post("/oauth2/token", url.Values{"client_id": {"clientid123"}, "client_secret": {"secret123"},
		"grant_type": {"password"}, "provision_key": {"provision123"}, "authenticated_userid": {"u"}})
	if status != 200 || len(tok) != 2 || tok["token_type"] != "bearer" {
		t.Fatalf("token: %d %v", status, tok)
	}
	if row := f.row("oauth2_tokens", "access_token", str(tok["access_token"])); row["ttl"] != nil || row["expires_in"] != int64(0) {
		t.Errorf("stored %v", row)
	}
}

// TestServiceBinding: a token works on the service it was issued for,
// unless both plugins have global_credentials.
func TestServiceBinding(t *testing.T) {
	f := setup(t, "")
	bound := f.clientToken("/oauth2/token")
	other := f.Route(f.Service(), "/other")
	f.Plugin("oauth2", plugintest.On("route", other), `{`+baseConfig+`,"provision_key":"p2"}`)
	if res, body := f.bearer("/other", bound); res.StatusCode != 401 || body != invalidBody {
		t.Errorf("other service: %d %q", res.StatusCode, body)
	}

	global := f.Route(f.Service(), "/global")
	f.Plugin("oauth2", plugintest.On("route", global), `{`+baseConfig+`,"provision_key":"p3","global_credentials":true}`)
	global2 := f.Route(f.Service(), "/global2")
	f.Plugin("oauth2", plugintest.On("route", global2), `{`+baseConfig+`,"provision_key":"p4","global_credentials":true}`)
	tok := f.clientToken("/global/oauth2/token")
	if row := f.row("oauth2_tokens", "access_token", tok); row["service"] != nil {
		t.Errorf("global token bound to %v", row["service"])
	}
	if res, body := f.bearer("/global2", tok); res.StatusCode != 200 {
		t.Errorf("global token, global plugin: %d %q", res.StatusCode, body)
	}
	res, body := f.bearer("/", tok)
	if res.StatusCode != 401 || !strings.Contains(body, `"error_description":"The access token is global, but the current plugin is configured without 'global_credentials'"`) ||
		res.Header.Get("WWW-Authenticate") != invalidChallenge {
		t.Errorf("global token, plugin without global_credentials: %d %q", res.StatusCode, body)
	}
	// a bound token stays bound under global_credentials
	if res, body := f.bearer("/global2", bound); res.StatusCode != 401 {
		t.Errorf("bound token, global plugin: %d %q", res.StatusCode, body)
	}
}

// TestGlobalCredentialsCode: with global_credentials, a code is only
// exchanged at the plugin that issued it.
func TestGlobalCredentialsCode(t *testing.T) {
	e := plugintest.New(t, loaded, trusted)
	f := fixture{Env: e}
	for _, r := range []struct{ path, key string }{{"/a", "pa"}, {"/b", "pb"}} {
		route := e.Route(e.Service(), r.path)
		e.Plugin("oauth2", plugintest.On("route", route), `{`+baseConfig+`,"provision_key":"`+r.key+`","global_credentials":true}`)
	}
	f.alice = e.Insert("consumers", `{"username":"alice"}`)
	f.client("clientid123", "secret123", "confidential", "http://google.test/kong")
	code := func() string {
		_, body, _ := f.post("/a/oauth2/authorize", url.Values{"provision_key": {"pa"}, "client_id": {"clientid123"},
			"response_type": {"code"}, "authenticated_userid": {"u"}})
		return strings.TrimPrefix(str(body["redirect_uri"]), "http://google.test/kong?code=")
	}
	exchange := url.Values{"client_id": {"clientid123"}, "client_secret": {"secret123"}, "grant_type": {"authorization_code"}}
	exchange.Set("code", code())
	status, body, _ := f.post("/b/oauth2/token", exchange)
	wantError(t, "other plugin", status, body, 400, "invalid_request", "Invalid code")
	status, body, _ = f.post("/a/oauth2/token", exchange)
	if status != 200 {
		t.Errorf("issuing plugin: %d %v", status, body)
	}
}

// TestAnonymous: with anonymous, a request without valid token goes on as
// the anonymous consumer, and one another auth plugin authenticated
// passes; a missing anonymous consumer is Kong's 500.
func TestAnonymous(t *testing.T) {
	e := plugintest.New(t, loaded, trusted)
	route := e.Route(e.Service(), "/")
	guest := e.Insert("consumers", `{"username":"guest"}`)
	bob := e.Insert("consumers", `{"username":"bob"}`)
	e.Insert("keyauth_credentials", `{"consumer":{"id":"`+bob+`"},"key":"bob-key"}`)
	e.Plugin("oauth2", plugintest.On("route", route), `{"enable_client_credentials":true,"anonymous":"guest"}`)
	e.Plugin("key-auth", plugintest.On("route", route), `{"anonymous":"guest"}`)

	res, body := e.Do(plugintest.Request{Path: "/", Header: http.Header{"Authorization": {"Bearer nope"},
		"X-Authenticated-Scope": {"spoof"}, "X-Credential-Identifier": {"spoof"}}})
	up := plugintest.DecodeEcho(t, body)
	if res.StatusCode != 200 || up.Headers.Get("X-Consumer-Id") != guest || up.Headers.Get("X-Anonymous-Consumer") != "true" ||
		up.Headers.Get("X-Authenticated-Scope") != "" || up.Headers.Get("X-Credential-Identifier") != "" {
		t.Errorf("anonymous: %d %q", res.StatusCode, body)
	}
	// key-auth (priority 1250) runs after oauth2 (1400): its credential
	// replaces the anonymous consumer
	res, body = e.Do(plugintest.Request{Path: "/", Header: http.Header{"Apikey": {"bob-key"}}})
	if up := plugintest.DecodeEcho(t, body); res.StatusCode != 200 || up.Headers.Get("X-Consumer-Username") != "bob" || up.Headers.Get("X-Anonymous-Consumer") != "" {
		t.Errorf("key-auth after anonymous: %d %q", res.StatusCode, body)
	}

	missing := plugintest.New(t, loaded)
	route = missing.Route(missing.Service(), "/")
	missing.Plugin("oauth2", plugintest.On("route", route), `{"enable_client_credentials":true,"anonymous":"nobody"}`)
	res, body = missing.Do(plugintest.Request{Path: "/", Header: http.Header{"Accept": {"application/json"}}})
	if res.StatusCode != 500 || !strings.Contains(body, `"message":"An unexpected error occurred"`) {
		t.Errorf("missing anonymous: %d %q", res.StatusCode, body)
	}
}

// TestAlreadyAuthenticated: in the logical OR, a request an earlier auth
// plugin (jwt, priority 1450) authenticated is not checked, and the
// oauth2 headers a client might send are cleared.
func TestAlreadyAuthenticated(t *testing.T) {
	e := plugintest.New(t, []string{"oauth2", "jwt"}, trusted)
	route := e.Route(e.Service(), "/")
	e.Insert("consumers", `{"username":"guest"}`)
	bob := e.Insert("consumers", `{"username":"bob"}`)
	e.Insert("jwt_secrets", `{"consumer":{"id":"`+bob+`"},"key":"bob-iss","secret":"bob-secret"}`)
	e.Plugin("jwt", plugintest.On("route", route), `{"anonymous":"guest"}`)
	e.Plugin("oauth2", plugintest.On("route", route), `{"enable_client_credentials":true,"anonymous":"guest"}`)
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": "bob-iss"}).SignedString([]byte("bob-secret"))
	if err != nil {
		t.Fatal(err)
	}
	res, body := e.Do(plugintest.Request{Path: "/?jwt=" + signed, Header: http.Header{
		"X-Authenticated-Scope": {"spoof"}, "X-Authenticated-Userid": {"spoof"}}})
	up := plugintest.DecodeEcho(t, body)
	if res.StatusCode != 200 || up.Headers.Get("X-Consumer-Username") != "bob" ||
		up.Headers.Get("X-Authenticated-Scope") != "" || up.Headers.Get("X-Authenticated-Userid") != "" {
		t.Errorf("jwt then oauth2: %d %q", res.StatusCode, body)
	}
}
