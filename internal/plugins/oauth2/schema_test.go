package oauth2_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/admin"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/store"
)

// TestConfigSchema: Kong's checks of the plugin's config.
func TestConfigSchema(t *testing.T) {
	e := plugintest.New(t, loaded)
	cases := []struct{ config, err string }{
		{`{}`, "schema violation (config: at least one of these fields must be true: enable_authorization_code, enable_implicit_grant, enable_client_credentials, enable_password_grant)"},
		{`{"enable_authorization_code":true,"mandatory_scope":true}`, "config.scopes: required field missing"},
		{`{"enable_authorization_code":true,"refresh_token_ttl":252979200}`, "config.refresh_token_ttl: value should be between 0 and 100000000"},
		{`{"enable_authorization_code":true,"pkce":"plain"}`, "config.pkce: expected one of: none, lax, strict"},
		{`{"enable_authorization_code":true,"persistent_refresh_token":true}`, "config.persistent_refresh_token: unknown field"},
	}
	for _, c := range cases {
		if err := e.TryInsert("plugins", `{"name":"oauth2","config":`+c.config+`}`); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: got %v, want %q", c.config, err, c.err)
		}
	}
	consumer := e.Insert("consumers", `{"username":"c"}`)
	if err := e.TryInsert("plugins", `{"name":"oauth2","consumer":{"id":"`+consumer+`"},"config":{"enable_password_grant":true}}`); err == nil {
		t.Error("oauth2 on a consumer accepted")
	}

	id := e.Insert("plugins", `{"name":"oauth2","config":{"enable_implicit_grant":true,"mandatory_scope":true,"scopes":["a"]}}`)
	config := pluginConfig(t, e, id)
	want := map[string]any{"token_expiration": float64(7200), "refresh_token_ttl": float64(1209600), "auth_header_name": "authorization",
		"pkce": "lax", "reuse_refresh_token": false, "global_credentials": false, "hide_credentials": false,
		"accept_http_if_already_terminated": false, "enable_client_credentials": false, "anonymous": nil, "realm": nil}
	for k, v := range want {
		if config[k] != v {
			t.Errorf("default %s = %v, want %v", k, config[k], v)
		}
	}
	key, _ := config["provision_key"].(string)
	if len(key) != 32 {
		t.Errorf("provision_key %q", key)
	}
	// an update keeps it
	ctx := context.Background()
	err := e.DB.Update(ctx, func(tx *store.Txn) error {
		_, err := tx.Update(ctx, "plugins", id, map[string]any{"config": map[string]any{"token_expiration": 60}})
		return err
	})
	if err != nil || pluginConfig(t, e, id)["provision_key"] != key {
		t.Errorf("update: %v, provision_key %v", err, pluginConfig(t, e, id)["provision_key"])
	}
}

func pluginConfig(t *testing.T, e *plugintest.Env, id string) map[string]any {
	t.Helper()
	ctx := context.Background()
	var row store.Row
	if err := e.DB.View(ctx, func(tx *store.Txn) error {
		var err error
		row, err = tx.Get(ctx, "plugins", id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	config, _ := row["config"].(map[string]any)
	return config
}

type adminAPI struct {
	t   *testing.T
	url string
}

func newAdmin(t *testing.T, e *plugintest.Env) adminAPI {
	set, err := plugin.Load(loaded)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(admin.New(admin.Options{DB: func() *store.DB { return e.DB }, Plugins: set}))
	t.Cleanup(srv.Close)
	return adminAPI{t: t, url: srv.URL}
}

func (a adminAPI) do(method, path, body string) (int, map[string]any) {
	a.t.Helper()
	req, _ := http.NewRequest(method, a.url+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return res.StatusCode, m
}

// TestCredentialsAdminAPI: /consumers/{c}/oauth2 and /oauth2 with Kong's
// redirect URI checks; hash_secret stores a PBKDF2 hash the token
// endpoint verifies; /oauth2_tokens lists tokens; codes have no API.
func TestCredentialsAdminAPI(t *testing.T) {
	f := setup(t, "")
	api := newAdmin(t, f.Env)
	for uri, msg := range map[string]string{
		"not-a-uri":                 "cannot parse 'not-a-uri'",
		"example.test:8080/path":    "cannot parse 'example.test:8080/path'",
		"http:///path":              "cannot parse 'http:///path'",
		"http://example.test/#frag": "fragment not allowed in 'http://example.test/#frag'",
	} {
		status, body := api.do("POST", "/consumers/alice/oauth2", `{"name":"x","redirect_uris":["http://ok.test","`+uri+`"]}`)
		fields, _ := body["fields"].(map[string]any)
		uris, _ := fields["redirect_uris"].([]any)
		if status != 400 || len(uris) != 2 || uris[0] != nil || uris[1] != msg {
			t.Errorf("%s: %d %v", uri, status, body)
		}
	}

	status, body := api.do("POST", "/consumers/alice/oauth2", `{"name":"hashed","client_id":"hashed-app","client_secret":"s3cret",`+
		`"hash_secret":true,"redirect_uris":["https://app.test/cb?x=1"]}`)
	secret := str(body["client_secret"])
	if status != 201 || !strings.HasPrefix(secret, "$pbkdf2-sha512$i=10000,l=32$") || body["client_type"] != "confidential" {
		t.Fatalf("hashed: %d %v", status, body)
	}
	status, body = api.do("PATCH", "/oauth2/hashed-app", `{"name":"renamed"}`)
	if status != 200 || body["client_secret"] != secret {
		t.Errorf("patch rehashed the secret: %d %v", status, body)
	}
	form := url.Values{"client_id": {"hashed-app"}, "client_secret": {"s3cret"}, "grant_type": {"client_credentials"}}
	status, tok, _ := f.post("/oauth2/token", form)
	if status != 200 {
		t.Fatalf("hashed secret: %d %v", status, tok)
	}
	form.Set("client_secret", secret)
	status, body, _ = f.post("/oauth2/token", form)
	wantError(t, "the hash as secret", status, body, 400, "invalid_client", "Invalid client authentication")

	status, body = api.do("POST", "/consumers/alice/oauth2", `{"name":"auto"}`)
	if status != 201 || len(str(body["client_id"])) != 32 || len(str(body["client_secret"])) != 32 || body["hash_secret"] != false {
		t.Errorf("auto: %d %v", status, body)
	}

	status, body = api.do("GET", "/oauth2_tokens/"+str(tok["access_token"]), "")
	if status != 200 || body["token_type"] != "bearer" || body["expires_in"] != float64(7200) {
		t.Errorf("token: %d %v", status, body)
	}
	if status, body = api.do("GET", "/oauth2/hashed-app/oauth2_tokens", ""); status != 200 || len(body["data"].([]any)) != 1 {
		t.Errorf("tokens of the credential: %d %v", status, body)
	}
	if status, body = api.do("GET", "/services/"+f.service+"/oauth2_tokens", ""); status != 200 || len(body["data"].([]any)) != 1 {
		t.Errorf("tokens of the service: %d %v", status, body)
	}
	if status, _ = api.do("GET", "/oauth2_authorization_codes", ""); status != 404 {
		t.Errorf("codes API: %d", status)
	}
	if status, body = api.do("DELETE", "/oauth2/hashed-app", ""); status != 204 {
		t.Errorf("delete: %d %v", status, body)
	}
	if res, _ := f.bearer("/", str(tok["access_token"])); res.StatusCode != 401 {
		t.Errorf("token of a deleted credential: %d", res.StatusCode)
	}
}
