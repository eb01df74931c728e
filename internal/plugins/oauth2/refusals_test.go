package oauth2_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

// TestEndpointMethod: the endpoints take POST only.
func TestEndpointMethod(t *testing.T) {
	f := setup(t, `"realm":"test-oauth2"`)
	for _, c := range []struct{ path, endpoint string }{
		{"/oauth2/token", "token"}, {"/api/oauth2/token/", "token"}, {"/oauth2/authorize", "authorization"},
	} {
		res, body := f.Do(plugintest.Request{Path: c.path, Header: https})
		msg := "The HTTP method GET is invalid for the " + c.endpoint + " endpoint"
		if res.StatusCode != 405 || body != `{"error":"invalid_method","error_description":"`+msg+`"}` ||
			res.Header.Get("WWW-Authenticate") != `Bearer realm="test-oauth2" error="invalid_method" error_description="`+msg+`"` {
			t.Errorf("GET %s: %d %v %q", c.path, res.StatusCode, res.Header, body)
		}
	}
	if f.Upstream.Count.Load() != 0 {
		t.Error("an endpoint request reached the upstream")
	}
}

// TestHTTPS: the endpoints refuse plain HTTP unless a trusted peer
// terminated TLS and accept_http_if_already_terminated is set.
func TestHTTPS(t *testing.T) {
	f := setup(t, "")
	form := url.Values{"client_id": {"clientid123"}, "client_secret": {"secret123"}, "grant_type": {"client_credentials"}}
	post := func(f fixture, path string, h http.Header) (int, map[string]any) {
		h = h.Clone()
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		return decode(t, f, plugintest.Request{Method: "POST", Path: path, Body: form.Encode(), Header: h})
	}
	status, body := post(f, "/oauth2/token", http.Header{})
	wantError(t, "plain http", status, body, 400, "access_denied", "You must use HTTPS")
	status, body = post(f, "/oauth2/authorize", http.Header{"X-Forwarded-Proto": {"http"}})
	wantError(t, "forwarded http", status, body, 400, "access_denied", "You must use HTTPS")
	status, body = post(f, "/oauth2/token", http.Header{"X-Forwarded-Proto": {"https,http"}})
	wantError(t, "two protocols", status, body, 400, "access_denied", "Only one X-Forwarded-Proto header allowed")
	status, body = post(f, "/oauth2/token", http.Header{"X-Forwarded-Proto": {"https", "https"}})
	wantError(t, "two headers", status, body, 400, "access_denied", "Only one X-Forwarded-Proto header allowed")
	if status, body = post(f, "/oauth2/token", http.Header{"X-Forwarded-Proto": {"HTTPS"}}); status != 200 {
		t.Errorf("trusted https: %d %v", status, body)
	}

	// without accept_http_if_already_terminated the header does not count
	strict := plugintest.New(t, loaded, trusted)
	route := strict.Route(strict.Service(), "/")
	strict.Plugin("oauth2", plugintest.On("route", route), `{"enable_client_credentials":true}`)
	status, body = post(fixture{Env: strict}, "/oauth2/token", https)
	wantError(t, "not accepted", status, body, 400, "access_denied", "You must use HTTPS")

	// nor from an untrusted peer
	untrusted := plugintest.New(t, loaded)
	route = untrusted.Route(untrusted.Service(), "/")
	untrusted.Plugin("oauth2", plugintest.On("route", route), `{"enable_client_credentials":true,"accept_http_if_already_terminated":true}`)
	status, body = post(fixture{Env: untrusted}, "/oauth2/token", https)
	wantError(t, "untrusted", status, body, 400, "access_denied", "You must use HTTPS")
}

// TestAuthorizeRefusals: Kong's error responses of the authorize
// endpoint, in the redirect URI when the client has one.
func TestAuthorizeRefusals(t *testing.T) {
	f := setup(t, `"mandatory_scope":true,"enable_implicit_grant":false`)
	base := url.Values{"provision_key": {"provision123"}, "client_id": {"clientid123"}, "scope": {"email"},
		"response_type": {"code"}, "authenticated_userid": {"u"}}
	with := func(changes ...string) url.Values {
		form := url.Values{}
		for k, v := range base {
			form[k] = v
		}
		for i := 0; i < len(changes); i += 2 {
			if changes[i+1] == "" {
				form.Del(changes[i])
			} else {
				form.Set(changes[i], changes[i+1])
			}
		}
		return form
	}
	cases := []struct {
		name string
		form url.Values
		body map[string]any
	}{
		{"provision key", with("provision_key", "wrong", "state", "s"),
			map[string]any{"error": "invalid_provision_key", "error_description": "Invalid provision_key", "state": "s"}},
		{"user", with("authenticated_userid", ""),
			map[string]any{"error": "invalid_authenticated_userid", "error_description": "Missing authenticated_userid parameter"}},
		{"client", with("client_id", "nobody"),
			map[string]any{"error": "invalid_client", "error_description": "Invalid client authentication"}},
		{"no scope", with("scope", ""),
			map[string]any{"redirect_uri": "http://google.test/kong?error=invalid_scope&error_description=You%20must%20specify%20a%20scope"}},
		{"bad scope", with("scope", "email wot"),
			map[string]any{"redirect_uri": "http://google.test/kong?error=invalid_scope&error_description=%22wot%22%20is%20an%20invalid%20scope"}},
		{"response type", with("response_type", "token", "state", "somestate"),
			map[string]any{"redirect_uri": "http://google.test/kong?error=unsupported_response_type&error_description=Invalid%20response_type&state=somestate"}},
	}
	for _, c := range cases {
		status, body, res := f.post("/oauth2/authorize", c.form)
		if status != 400 || !sameJSON(body, c.body) || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d %v, want %v", c.name, status, body, c.body)
		}
	}
}

// TestTokenRefusals: Kong's error responses of the token endpoint.
func TestTokenRefusals(t *testing.T) {
	f := setup(t, `"enable_password_grant":false`)
	f.client("nouris", "s", "confidential")
	cases := []struct {
		name              string
		form              url.Values
		code, description string
	}{
		{"grant type", url.Values{"grant_type": {"password"}, "client_id": {"clientid123"}, "client_secret": {"secret123"}, "state": {"x"}},
			"unsupported_grant_type", "Invalid grant_type"},
		{"no code", url.Values{"grant_type": {"authorization_code"}, "client_id": {"clientid123"}, "client_secret": {"secret123"}},
			"invalid_request", "Invalid code"},
		{"redirect uri", url.Values{"grant_type": {"authorization_code"}, "client_id": {"clientid123"}, "client_secret": {"secret123"},
			"redirect_uri": {"http://evil.test"}}, "invalid_request", "Invalid redirect_uri that does not match with any redirect_uri created with the application"},
		{"client without redirect uris", url.Values{"grant_type": {"authorization_code"}, "client_id": {"nouris"}, "client_secret": {"s"}},
			"invalid_client", "Invalid client authentication"},
		{"no refresh token", url.Values{"grant_type": {"refresh_token"}, "client_id": {"clientid123"}, "client_secret": {"secret123"}},
			"invalid_request", "Invalid refresh_token"},
		{"scope type", url.Values{"grant_type": {"client_credentials"}, "client_id": {"clientid123"}, "client_secret": {"secret123"},
			"scope": {"email", "profile"}}, "invalid_scope", "scope must be a string"},
	}
	for _, c := range cases {
		status, body, _ := f.post("/oauth2/token", c.form)
		wantError(t, c.name, status, body, 400, c.code, c.description)
		if want := c.form.Get("state"); want != "" && body["state"] != want {
			t.Errorf("%s: state %v", c.name, body["state"])
		}
	}

	// a code is bound to the service of the route it was issued on
	other := f.Service()
	route := f.Route(other, "/other")
	f.Plugin("oauth2", plugintest.On("route", route), `{`+baseConfig+`,"provision_key":"p2"}`)
	code := f.code(nil)
	status, body, _ := f.post("/other/oauth2/token", url.Values{"code": {code}, "client_id": {"clientid123"},
		"client_secret": {"secret123"}, "grant_type": {"authorization_code"}})
	wantError(t, "code of another service", status, body, 400, "invalid_request", "Invalid code")
}

func decode(t *testing.T, f fixture, r plugintest.Request) (int, map[string]any) {
	t.Helper()
	res, body := f.Do(r)
	var m map[string]any
	if err := jsonUnmarshal(body, &m); err != nil {
		t.Fatalf("not JSON: %d %q", res.StatusCode, body)
	}
	return res.StatusCode, m
}
