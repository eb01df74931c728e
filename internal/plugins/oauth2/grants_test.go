package oauth2_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

// TestAuthorizationCode: authorize → code → token → a proxied request
// authenticated as alice, with the token's scope and user upstream.
func TestAuthorizationCode(t *testing.T) {
	f := setup(t, "")
	code := f.code(nil)

	stored := f.row("oauth2_authorization_codes", "code", code)
	if stored == nil || entities.ForeignID(stored, "plugin") != f.plugin || entities.ForeignID(stored, "service") != f.service ||
		entities.ForeignID(stored, "credential") != f.cred || stored["scope"] != "email" || stored["authenticated_userid"] != "userid123" {
		t.Errorf("stored code %v", stored)
	}
	if ttl, _ := stored["ttl"].(int64); ttl < 298 || ttl > 300 {
		t.Errorf("code ttl %v, want 300", stored["ttl"])
	}

	tok := f.token(code, url.Values{"state": {"s1"}})
	access := str(tok["access_token"])
	if len(access) != 32 || len(str(tok["refresh_token"])) != 32 || tok["token_type"] != "bearer" ||
		tok["expires_in"] != float64(7200) || tok["state"] != "s1" || len(tok) != 5 {
		t.Fatalf("token response %v", tok)
	}
	row := f.row("oauth2_tokens", "access_token", access)
	if ttl, _ := row["ttl"].(int64); entities.ForeignID(row, "service") != f.service || row["scope"] != "email" ||
		row["refresh_token"] != tok["refresh_token"] || ttl < 1209590 || ttl > 1209600 {
		t.Errorf("stored token %v", row)
	}

	// the code is gone
	status, body, _ := f.post("/oauth2/token", url.Values{"code": {code}, "client_id": {"clientid123"},
		"client_secret": {"secret123"}, "grant_type": {"authorization_code"}})
	wantError(t, "reused code", status, body, 400, "invalid_request", "Invalid code")

	res, raw := f.Do(plugintest.Request{Path: "/api?x=1", Header: http.Header{
		"Authorization": {"bearer " + access}, "X-Authenticated-Scope": {"spoof"}, "X-Anonymous-Consumer": {"true"}}})
	if res.StatusCode != 200 {
		t.Fatalf("proxied: %d %q", res.StatusCode, raw)
	}
	up := plugintest.DecodeEcho(t, raw)
	want := map[string]string{
		"X-Consumer-Id": f.alice, "X-Consumer-Username": "alice", "X-Consumer-Custom-Id": "a-1",
		"X-Credential-Identifier": "clientid123", "X-Authenticated-Scope": "email",
		"X-Authenticated-Userid": "userid123", "X-Anonymous-Consumer": "", "Authorization": "bearer " + access,
	}
	for k, v := range want {
		if got := strings.Join(up.Headers[k], ","); got != v {
			t.Errorf("upstream %s = %q, want %q", k, got, v)
		}
	}
	if up.URI != "/api?x=1" {
		t.Errorf("upstream URI %q", up.URI)
	}
}

// TestAuthorizeRedirectURI: the result joins the redirect URI's own query
// parameters; a redirect_uri parameter must be one of the client's.
func TestAuthorizeRedirectURI(t *testing.T) {
	f := setup(t, "")
	f.client("multi", "s", "confidential", "http://one.test/one/?foo=bar", "http://two.test/two")
	form := url.Values{"provision_key": {"provision123"}, "client_id": {"multi"}, "response_type": {"code"},
		"authenticated_userid": {"u"}}
	_, body, _ := f.post("/oauth2/authorize", form)
	if !regexp.MustCompile(`^http://one\.test/one/\?code=\w{32}&foo=bar$`).MatchString(str(body["redirect_uri"])) {
		t.Errorf("first URI: %v", body)
	}
	res, raw := f.Do(plugintest.Request{Method: "POST", Path: "/oauth2/authorize", Body: form.Encode(), Header: http.Header{
		"Content-Type": {"application/x-www-form-urlencoded"}, "X-Forwarded-Proto": {"https"}}})
	if !regexp.MustCompile(`^\{"redirect_uri":"http://one\.test/one/\?code=\w{32}&foo=bar"\}$`).MatchString(raw) ||
		res.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("raw body %q %v", raw, res.Header)
	}
	form.Set("redirect_uri", "http://two.test/two")
	_, body, _ = f.post("/oauth2/authorize", form)
	if !regexp.MustCompile(`^http://two\.test/two\?code=\w{32}$`).MatchString(str(body["redirect_uri"])) {
		t.Errorf("chosen URI: %v", body)
	}
	form.Set("redirect_uri", "http://evil.test/")
	status, body, _ := f.post("/oauth2/authorize", form)
	want := "http://one.test/one/?error=invalid_request&error_description=Invalid%20redirect_uri%20that%20does%20not%20match%20with%20any%20redirect_uri%20created%20with%20the%20application&foo=bar"
	if status != 400 || body["redirect_uri"] != want {
		t.Errorf("other URI: %d %v", status, body)
	}
}

// TestImplicitGrant: response_type token answers with the token in the
// redirect URI's fragment, without refresh token.
func TestImplicitGrant(t *testing.T) {
	f := setup(t, "")
	status, body, res := f.post("/oauth2/authorize", url.Values{"provision_key": {"provision123"},
		"client_id": {"clientid123"}, "scope": {"email profile"}, "response_type": {"token"},
		"state": {"wot"}, "authenticated_userid": {"userid123"}})
	m := regexp.MustCompile(`^http://google\.test/kong#access_token=(\w{32})&expires_in=7200&state=wot&token_type=bearer$`).
		FindStringSubmatch(str(body["redirect_uri"]))
	if status != 200 || m == nil || res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("Pragma") != "no-cache" {
		t.Fatalf("implicit: %d %v %v", status, body, res.Header)
	}
	if row := f.row("oauth2_tokens", "access_token", m[1]); row == nil || row["refresh_token"] != nil || row["scope"] != "email profile" {
		t.Errorf("stored %v", row)
	}
	res, raw := f.bearer("/", m[1])
	if res.StatusCode != 200 || plugintest.DecodeEcho(t, raw).Headers.Get("X-Authenticated-Scope") != "email profile" {
		t.Errorf("proxied: %d %q", res.StatusCode, raw)
	}
}

// TestClientCredentials: the client authenticates with its parameters or
// a Basic header and gets a token without refresh token.
func TestClientCredentials(t *testing.T) {
	f := setup(t, "")
	status, body, _ := f.post("/oauth2/token", url.Values{"client_id": {"clientid123"}, "client_secret": {"secret123"},
		"grant_type": {"client_credentials"}, "scope": {"profile"}})
	if status != 200 || len(str(body["access_token"])) != 32 || body["refresh_token"] != nil || body["expires_in"] != float64(7200) {
		t.Fatalf("client_credentials: %d %v", status, body)
	}
	res, raw := f.bearer("/", str(body["access_token"]))
	up := plugintest.DecodeEcho(t, raw)
	if res.StatusCode != 200 || up.Headers.Get("X-Authenticated-Scope") != "profile" ||
		up.Headers.Get("X-Authenticated-Userid") != "" || up.Headers.Get("X-Consumer-Username") != "alice" {
		t.Errorf("proxied: %d %q", res.StatusCode, raw)
	}

	basic := func(cred string) http.Header {
		return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(cred))}}
	}
	status, body, _ = f.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, basic("clientid123:secret123"))
	if status != 200 || body["access_token"] == nil {
		t.Errorf("basic: %d %v", status, body)
	}
	// with authenticated_userid, the provision key is needed
	status, body, _ = f.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "authenticated_userid": {"u1"}},
		basic("clientid123:secret123"))
	wantError(t, "userid without provision_key", status, body, 400, "invalid_provision_key", "Invalid provision_key")
	status, body, _ = f.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "authenticated_userid": {"u1"},
		"provision_key": {"provision123"}}, basic("clientid123:secret123"))
	if status != 200 || f.row("oauth2_tokens", "access_token", str(body["access_token"]))["authenticated_userid"] != "u1" {
		t.Errorf("userid: %d %v", status, body)
	}

	status, body, res = f.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, basic("clientid123:wrong"))
	wantError(t, "basic wrong secret", status, body, 401, "invalid_client", "Invalid client authentication")
	if res.Header.Get("WWW-Authenticate") != `Basic realm="OAuth2.0"` {
		t.Errorf("basic challenge %q", res.Header.Get("WWW-Authenticate"))
	}
	status, body, res = f.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {"clientid123"}, "client_secret": {"wrong"}})
	wantError(t, "body wrong secret", status, body, 400, "invalid_client", "Invalid client authentication")
	if res.Header.Get("WWW-Authenticate") != "" {
		t.Errorf("challenge without Basic: %q", res.Header.Get("WWW-Authenticate"))
	}
	status, body, _ = f.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {"nobody"}, "client_secret": {"x"}})
	wantError(t, "unknown client", status, body, 400, "invalid_client", "Invalid client authentication")
}

// TestPasswordGrant: the application, holding the provision key, gets a
// token with a refresh token for a user it authenticated.
func TestPasswordGrant(t *testing.T) {
	f := setup(t, "")
	form := url.Values{"client_id": {"clientid123"}, "client_secret": {"secret123"}, "grant_type": {"password"},
		"scope": {"email"}, "authenticated_userid": {"id123"}}
	status, body, _ := f.post("/oauth2/token", form)
	wantError(t, "no provision_key", status, body, 400, "invalid_provision_key", "Invalid provision_key")
	form.Set("provision_key", "provision123")
	form.Set("authenticated_userid", "  ")
	status, body, _ = f.post("/oauth2/token", form)
	wantError(t, "blank user", status, body, 400, "invalid_authenticated_userid", "Missing authenticated_userid parameter")
	form.Set("authenticated_userid", "id123")
	status, body, _ = f.post("/oauth2/token", form)
	if status != 200 || len(str(body["refresh_token"])) != 32 {
		t.Fatalf("password: %d %v", status, body)
	}
	res, raw := f.bearer("/", str(body["access_token"]))
	if res.StatusCode != 200 || plugintest.DecodeEcho(t, raw).Headers.Get("X-Authenticated-Userid") != "id123" {
		t.Errorf("proxied: %d %q", res.StatusCode, raw)
	}
}

func refresh(f fixture, refreshToken string) (int, map[string]any) {
	status, body, _ := f.post("/oauth2/token", url.Values{"refresh_token": {refreshToken}, "client_id": {"clientid123"},
		"client_secret": {"secret123"}, "grant_type": {"refresh_token"}})
	return status, body
}

// TestRefreshToken: a refresh token gives a new token with the same user
// and scope; the old token and refresh token are gone.
func TestRefreshToken(t *testing.T) {
	f := setup(t, "")
	first := f.token(f.code(nil), nil)
	status, second := refresh(f, str(first["refresh_token"]))
	if status != 200 || second["access_token"] == first["access_token"] || second["refresh_token"] == first["refresh_token"] ||
		len(str(second["refresh_token"])) != 32 {
		t.Fatalf("refresh: %d %v", status, second)
	}
	if res, _ := f.bearer("/", str(first["access_token"])); res.StatusCode != 401 {
		t.Errorf("old token: %d", res.StatusCode)
	}
	res, raw := f.bearer("/", str(second["access_token"]))
	if up := plugintest.DecodeEcho(t, raw); res.StatusCode != 200 || up.Headers.Get("X-Authenticated-Userid") != "userid123" ||
		up.Headers.Get("X-Authenticated-Scope") != "email" {
		t.Errorf("new token: %d %q", res.StatusCode, raw)
	}
	status, body := refresh(f, str(first["refresh_token"]))
	wantError(t, "old refresh token", status, body, 400, "invalid_request", "Invalid refresh_token")

	// another client cannot use it
	f.client("other", "s2", "confidential", "http://google.test/kong")
	status, body, _ = f.post("/oauth2/token", url.Values{"refresh_token": {str(second["refresh_token"])}, "client_id": {"other"},
		"client_secret": {"s2"}, "grant_type": {"refresh_token"}})
	wantError(t, "other client", status, body, 400, "invalid_client", "Invalid client authentication")
}

// TestReuseRefreshToken: with reuse_refresh_token the token is renewed in
// place and keeps its refresh token.
func TestReuseRefreshToken(t *testing.T) {
	f := setup(t, `"reuse_refresh_token":true`)
	first := f.token(f.code(nil), nil)
	rt := str(first["refresh_token"])
	for range 2 {
		status, next := refresh(f, rt)
		if status != 200 || next["refresh_token"] != rt || next["access_token"] == first["access_token"] {
			t.Fatalf("refresh: %d %v", status, next)
		}
		if res, _ := f.bearer("/", str(first["access_token"])); res.StatusCode != 401 {
			t.Errorf("replaced token: %d", res.StatusCode)
		}
		if res, raw := f.bearer("/", str(next["access_token"])); res.StatusCode != 200 {
			t.Errorf("renewed token: %d %q", res.StatusCode, raw)
		}
		first = next
	}
}

// TestRefreshScopeMismatch: a token whose scope the plugin no longer
// offers cannot be refreshed.
func TestRefreshScopeMismatch(t *testing.T) {
	f := setup(t, "")
	tok := f.token(f.code(url.Values{"scope": {"email profile"}}), nil)
	// the same client on another route whose plugin offers email only
	svc := f.Service()
	route := f.Route(svc, "/narrow")
	f.Plugin("oauth2", plugintest.On("route", route), `{"scopes":["email"],"enable_authorization_code":true,"global_credentials":true,`+
		`"accept_http_if_already_terminated":true}`)
	status, body, _ := f.post("/narrow/oauth2/token", url.Values{"refresh_token": {str(tok["refresh_token"])},
		"client_id": {"clientid123"}, "client_secret": {"secret123"}, "grant_type": {"refresh_token"}})
	wantError(t, "scope mismatch", status, body, 400, "invalid_scope", "Scope mismatch")
}

// TestBodyFormats: the endpoints read JSON and multipart bodies too, and
// query parameters; the body wins over the query.
func TestBodyFormats(t *testing.T) {
	f := setup(t, "")
	res, raw := f.Do(plugintest.Request{Method: "POST", Path: "/oauth2/authorize?client_id=wrong&state=hello", Header: http.Header{
		"Content-Type": {"application/json"}, "X-Forwarded-Proto": {"https"}},
		Body: `{"provision_key":"provision123","client_id":"clientid123","response_type":"code","authenticated_userid":"u"}`})
	m := regexp.MustCompile(`"http://google\.test/kong\?code=(\w{32})&state=hello"`).FindStringSubmatch(raw)
	if res.StatusCode != 200 || m == nil {
		t.Fatalf("JSON authorize: %d %q", res.StatusCode, raw)
	}
	body := "--B\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\n" + m[1] +
		"\r\n--B\r\nContent-Disposition: form-data; name=\"client_secret\"\r\n\r\nsecret123\r\n--B--\r\n"
	res, raw = f.Do(plugintest.Request{Method: "POST", Path: "/oauth2/token?client_id=clientid123&grant_type=authorization_code",
		Header: http.Header{"Content-Type": {"multipart/form-data; boundary=B"}, "X-Forwarded-Proto": {"https"}}, Body: body})
	if res.StatusCode != 200 || !strings.Contains(raw, `"access_token":"`) {
		t.Errorf("multipart token: %d %q", res.StatusCode, raw)
	}
}
