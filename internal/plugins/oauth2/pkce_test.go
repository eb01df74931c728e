package oauth2_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func challengeOf(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// TestPKCE: a public client must send a challenge (pkce lax), and its
// code is exchanged only with the matching verifier.
func TestPKCE(t *testing.T) {
	f := setup(t, "")
	f.client("public1", "", "public", "http://google.test/kong")
	authorize := func(extra url.Values) (int, map[string]any) {
		form := url.Values{"provision_key": {"provision123"}, "client_id": {"public1"}, "response_type": {"code"},
			"state": {"hello"}, "authenticated_userid": {"u"}}
		for k, v := range extra {
			form[k] = v
		}
		status, body, _ := f.post("/oauth2/authorize", form)
		return status, body
	}

	status, body := authorize(nil)
	if status != 400 || body["redirect_uri"] != "http://google.test/kong?error=invalid_request&error_description=code_challenge%20is%20required%20for%20public%20clients&state=hello" {
		t.Errorf("no challenge: %d %v", status, body)
	}
	status, body = authorize(url.Values{"code_challenge_method": {"S256"}})
	if status != 400 || body["redirect_uri"] != "http://google.test/kong?error=invalid_request&error_description=code_challenge%20is%20required%20when%20code_method%20is%20present&state=hello" {
		t.Errorf("method without challenge: %d %v", status, body)
	}
	status, body = authorize(url.Values{"code_challenge": {"abc"}, "code_challenge_method": {"plain"}})
	if status != 400 || body["redirect_uri"] != "http://google.test/kong?error=invalid_request&error_description=code_challenge_method%20is%20not%20supported%2c%20must%20be%20S256&state=hello" {
		t.Errorf("plain: %d %v", status, body)
	}

	verifier := strings.Repeat("V", 50)
	// a padded challenge is stored in canonical base64url
	status, body = authorize(url.Values{"code_challenge": {challengeOf(verifier) + "="}, "code_challenge_method": {"s256"}})
	m := regexp.MustCompile(`code=(\w{32})`).FindStringSubmatch(str(body["redirect_uri"]))
	if status != 200 || m == nil {
		t.Fatalf("challenge: %d %v", status, body)
	}
	code := m[1]
	if row := f.row("oauth2_authorization_codes", "code", code); row["challenge"] != challengeOf(verifier) || row["challenge_method"] != "S256" {
		t.Errorf("stored %v", row)
	}

	exchange := func(form url.Values) (int, map[string]any) {
		form.Set("code", code)
		form.Set("client_id", "public1")
		form.Set("grant_type", "authorization_code")
		status, body, _ := f.post("/oauth2/token", form)
		return status, body
	}
	status, body = exchange(url.Values{"client_secret": {"x"}, "code_verifier": {verifier}})
	wantError(t, "public with secret", status, body, 400, "invalid_request", "client_secret is disallowed for public clients")
	status, body = exchange(url.Values{})
	wantError(t, "no verifier", status, body, 400, "invalid_request", "code_verifier is required for PKCE authorization requests")
	status, body = exchange(url.Values{"code_verifier": {"short"}})
	wantError(t, "short verifier", status, body, 400, "invalid_request", "code_verifier must be between 43 and 128 characters")
	status, body = exchange(url.Values{"code_verifier": {strings.Repeat("W", 50)}})
	wantError(t, "wrong verifier", status, body, 400, "invalid_grant", "Invalid code")
	status, body = exchange(url.Values{"code_verifier": {verifier}})
	if status != 200 || body["access_token"] == nil {
		t.Fatalf("right verifier: %d %v", status, body)
	}
	if res, raw := f.bearer("/", str(body["access_token"])); res.StatusCode != 200 {
		t.Errorf("proxied: %d %q", res.StatusCode, raw)
	}
}

// TestPKCEModes: strict requires a challenge of confidential clients too,
// none of no client; a confidential client that sent one must verify it.
func TestPKCEModes(t *testing.T) {
	strict := setup(t, `"pkce":"strict"`)
	_, body, _ := strict.post("/oauth2/authorize", url.Values{"provision_key": {"provision123"}, "client_id": {"clientid123"},
		"response_type": {"code"}, "state": {"hello"}, "authenticated_userid": {"u"}})
	if body["redirect_uri"] != "http://google.test/kong?error=invalid_request&error_description=code_challenge%20is%20required%20for%20confidential%20clients&state=hello" {
		t.Errorf("strict: %v", body)
	}

	none := setup(t, `"pkce":"none"`)
	none.client("public1", "", "public", "http://google.test/kong")
	_, body, _ = none.post("/oauth2/authorize", url.Values{"provision_key": {"provision123"}, "client_id": {"public1"},
		"response_type": {"code"}, "authenticated_userid": {"u"}})
	code := regexp.MustCompile(`code=(\w{32})`).FindStringSubmatch(str(body["redirect_uri"]))
	if code == nil {
		t.Fatalf("none: %v", body)
	}
	status, body, _ := none.post("/oauth2/token", url.Values{"code": {code[1]}, "client_id": {"public1"}, "grant_type": {"authorization_code"}})
	if status != 200 {
		t.Errorf("none exchange: %d %v", status, body)
	}

	lax := setup(t, "")
	verifier := strings.Repeat("a", 43)
	c := lax.code(url.Values{"code_challenge": {challengeOf(verifier)}})
	status, body, _ = lax.post("/oauth2/token", url.Values{"code": {c}, "client_id": {"clientid123"}, "client_secret": {"secret123"},
		"grant_type": {"authorization_code"}})
	wantError(t, "confidential without verifier", status, body, 400, "invalid_request", "code_verifier is required for PKCE authorization requests")
	lax.token(c, url.Values{"code_verifier": {verifier}})
}
