package oauth2_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/keyauth"
	_ "github.com/silverback-gw/silverback/internal/plugins/oauth2"
	"github.com/silverback-gw/silverback/internal/proxy"
	"github.com/silverback-gw/silverback/internal/store"
)

var loaded = []string{"oauth2", "key-auth"}

// trusted makes the loopback clients trusted peers, whose
// X-Forwarded-Proto https stands for TLS terminated before the gateway.
func trusted(o *proxy.Options) {
	o.TrustedIPs = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
}

// baseConfig enables every grant and accepts HTTPS terminated by a
// trusted peer; tests add fields to it.
const baseConfig = `"provision_key":"provision123","scopes":["email","profile"],` +
	`"enable_authorization_code":true,"enable_implicit_grant":true,` +
	`"enable_client_credentials":true,"enable_password_grant":true,` +
	`"accept_http_if_already_terminated":true`

type fixture struct {
	*plugintest.Env
	service, route, plugin, alice, cred string
}

// setup starts a gateway with oauth2 on a route "/" (config is added to
// baseConfig), a consumer alice and her confidential client clientid123
// (secret secret123, redirect URI http://google.test/kong).
func setup(t *testing.T, config string) fixture {
	t.Helper()
	e := plugintest.New(t, loaded, trusted)
	f := fixture{Env: e}
	f.service = e.Service()
	f.route = e.Route(f.service, "/")
	if config != "" {
		config = "," + config
	}
	f.plugin = e.Plugin("oauth2", plugintest.On("route", f.route), "{"+baseConfig+config+"}")
	f.alice = e.Insert("consumers", `{"username":"alice","custom_id":"a-1"}`)
	f.cred = f.client("clientid123", "secret123", "confidential", "http://google.test/kong")
	return f
}

// client adds a credential of alice; an empty secret is generated.
func (f fixture) client(id, secret, clientType string, redirectURIs ...string) string {
	cred := map[string]any{"consumer": map[string]any{"id": f.alice}, "name": "app", "client_id": id,
		"client_type": clientType, "redirect_uris": redirectURIs}
	if secret != "" {
		cred["client_secret"] = secret
	}
	if redirectURIs == nil {
		delete(cred, "redirect_uris")
	}
	b, _ := json.Marshal(cred)
	return f.Insert("oauth2_credentials", string(b))
}

// https is the header of a request whose TLS a trusted peer terminated.
var https = http.Header{"X-Forwarded-Proto": {"https"}}

// post sends a form to path over "HTTPS" and returns the status, the
// decoded JSON body and the response.
func (f fixture) post(path string, form url.Values, header ...http.Header) (int, map[string]any, *http.Response) {
	f.T.Helper()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "X-Forwarded-Proto": {"https"}}
	for _, extra := range header {
		for k, v := range extra {
			h[k] = v
		}
	}
	res, body := f.Do(plugintest.Request{Method: "POST", Path: path, Body: form.Encode(), Header: h})
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		f.T.Fatalf("%s: not JSON: %d %q", path, res.StatusCode, body)
	}
	return res.StatusCode, m, res
}

var codeRe = regexp.MustCompile(`^http://google\.test/kong\?code=(\w{32})&state=hello$`)

// code runs the authorize endpoint for clientid123 and returns the code.
func (f fixture) code(extra url.Values) string {
	f.T.Helper()
	form := url.Values{"provision_key": {"provision123"}, "client_id": {"clientid123"}, "scope": {"email"},
		"response_type": {"code"}, "state": {"hello"}, "authenticated_userid": {"userid123"}}
	for k, v := range extra {
		form[k] = v
	}
	status, body, _ := f.post("/oauth2/authorize", form)
	m := codeRe.FindStringSubmatch(str(body["redirect_uri"]))
	if status != 200 || m == nil {
		f.T.Fatalf("authorize: %d %v", status, body)
	}
	return m[1]
}

// token exchanges a code of clientid123 and returns the token response.
func (f fixture) token(code string, extra url.Values) map[string]any {
	f.T.Helper()
	form := url.Values{"code": {code}, "client_id": {"clientid123"}, "client_secret": {"secret123"}, "grant_type": {"authorization_code"}}
	for k, v := range extra {
		form[k] = v
	}
	status, body, _ := f.post("/oauth2/token", form)
	if status != 200 {
		f.T.Fatalf("token: %d %v", status, body)
	}
	return body
}

func str(v any) string { s, _ := v.(string); return s }

// bearer sends GET path with the access token and returns the response
// and body.
func (f fixture) bearer(path, token string) (*http.Response, string) {
	f.T.Helper()
	return f.Do(plugintest.Request{Path: path, Header: http.Header{"Authorization": {"Bearer " + token}}})
}

// row reads the row of entity whose unique field is value.
func (f fixture) row(entity, field, value string) store.Row {
	f.T.Helper()
	ctx := context.Background()
	var row store.Row
	err := f.DB.View(ctx, func(tx *store.Txn) error {
		var err error
		row, err = tx.GetBy(ctx, entity, field, value)
		return err
	})
	if err != nil {
		f.T.Fatal(err)
	}
	return row
}

// wantError checks an endpoint's error response.
func wantError(t *testing.T, name string, status int, body map[string]any, wantStatus int, code, description string) {
	t.Helper()
	if status != wantStatus || body["error"] != code || body["error_description"] != description {
		t.Errorf("%s: got %d %v, want %d %s %q", name, status, body, wantStatus, code, description)
	}
}

// sameJSON reports whether a decoded JSON object equals want.
func sameJSON(got, want map[string]any) bool { return reflect.DeepEqual(got, want) }

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// containsAll reports whether s contains every one of subs.
func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
