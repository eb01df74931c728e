package keyauth_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/acl"
	_ "github.com/silverback-gw/silverback/internal/plugins/keyauth"
	_ "github.com/silverback-gw/silverback/internal/plugins/requesttermination"
	"github.com/silverback-gw/silverback/internal/proxy"
	"github.com/silverback-gw/silverback/internal/store"
)

var loaded = []string{"key-auth", "acl", "request-termination"}

type fixture struct {
	*plugintest.Env
	route, alice, cred string
}

func setup(t *testing.T, config string) fixture {
	e := plugintest.New(t, loaded)
	f := fixture{Env: e}
	f.route = e.Route(e.Service(), "/")
	e.Plugin("key-auth", plugintest.On("route", f.route), config)
	f.alice = e.Insert("consumers", `{"username":"alice","custom_id":"a-1"}`)
	f.cred = e.Insert("keyauth_credentials", `{"consumer":{"id":"`+f.alice+`"},"key":"secret-a"}`)
	return f
}

func TestKeyAuth(t *testing.T) {
	f := setup(t, "")
	json := http.Header{"Accept": {"application/json"}}

	res, body := f.Do(plugintest.Request{Path: "/", Header: json})
	if res.StatusCode != 401 || !strings.Contains(body, `"message":"No API key found in request"`) || res.Header.Get("WWW-Authenticate") != "Key" {
		t.Errorf("no key: %d %v %q", res.StatusCode, res.Header, body)
	}
	res, body = f.Do(plugintest.Request{Path: "/", Header: http.Header{"Apikey": {"wrong"}, "Accept": {"application/json"}}})
	if res.StatusCode != 401 || !strings.Contains(body, `"message":"Unauthorized"`) || res.Header.Get("WWW-Authenticate") != "Key" {
		t.Errorf("wrong key: %d %q", res.StatusCode, body)
	}
	if f.Upstream.Count.Load() != 0 {
		t.Fatal("refused requests reached the upstream")
	}

	// header, spoofed consumer headers replaced
	res, body = f.Do(plugintest.Request{Path: "/", Header: http.Header{"Apikey": {"secret-a"},
		"X-Consumer-Id": {"spoof"}, "X-Anonymous-Consumer": {"true"}, "X-Credential-Identifier": {"spoof"}}})
	if res.StatusCode != 200 {
		t.Fatalf("header key: %d %q", res.StatusCode, body)
	}
	up := plugintest.DecodeEcho(t, body)
	want := map[string]string{"X-Consumer-Id": f.alice, "X-Consumer-Username": "alice", "X-Consumer-Custom-Id": "a-1",
		"X-Credential-Identifier": f.cred, "X-Anonymous-Consumer": "", "Apikey": "secret-a"}
	for k, v := range want {
		if got := strings.Join(up.Headers[k], ","); got != v {
			t.Errorf("upstream %s = %q, want %q", k, got, v)
		}
	}
	// query argument
	res, body = f.Get("/x?apikey=secret-a&a=1")
	if res.StatusCode != 200 || plugintest.DecodeEcho(t, body).URI != "/x?apikey=secret-a&a=1" {
		t.Errorf("query key: %d %q", res.StatusCode, body)
	}
	// duplicate
	res, body = f.Get("/?apikey=secret-a&apikey=secret-a")
	if res.StatusCode != 401 || !strings.Contains(body, "Duplicate API key found") {
		t.Errorf("duplicate: %d %q", res.StatusCode, body)
	}
}

func TestHideCredentials(t *testing.T) {
	f := setup(t, `{"hide_credentials":true,"key_names":["apikey","x-key"]}`)
	res, body := f.Do(plugintest.Request{Path: "/", Header: http.Header{"X-Key": {"secret-a"}}})
	if res.StatusCode != 200 || plugintest.DecodeEcho(t, body).Headers.Get("X-Key") != "" {
		t.Errorf("header: %d %q", res.StatusCode, body)
	}
	res, body = f.Get("/p?a=1&apikey=secret-a")
	if res.StatusCode != 200 || plugintest.DecodeEcho(t, body).URI != "/p?a=1" {
		t.Errorf("query: %d %q", res.StatusCode, body)
	}
}

func TestAnonymous(t *testing.T) {
	e := plugintest.New(t, loaded)
	route := e.Route(e.Service(), "/")
	anon := e.Insert("consumers", `{"username":"guest"}`)
	e.Plugin("key-auth", plugintest.On("route", route), `{"anonymous":"guest"}`)
	res, body := e.Do(plugintest.Request{Path: "/", Header: http.Header{"Apikey": {"nope"}, "X-Consumer-Custom-Id": {"spoof"}}})
	if res.StatusCode != 200 {
		t.Fatalf("anonymous: %d %q", res.StatusCode, body)
	}
	up := plugintest.DecodeEcho(t, body)
	if up.Headers.Get("X-Consumer-Id") != anon || up.Headers.Get("X-Anonymous-Consumer") != "true" ||
		up.Headers.Get("X-Consumer-Custom-Id") != "" || up.Headers.Get("X-Credential-Identifier") != "" {
		t.Errorf("anonymous headers: %v", up.Headers)
	}

	e2 := plugintest.New(t, loaded)
	e2.Plugin("key-auth", "", `{"anonymous":"nobody"}`)
	e2.Route(e2.Service(), "/")
	res, body = e2.Do(plugintest.Request{Path: "/", Header: http.Header{"Accept": {"application/json"}}})
	if res.StatusCode != 500 || !strings.Contains(body, "An unexpected error occurred") {
		t.Errorf("missing anonymous: %d %q", res.StatusCode, body)
	}
}

// TestDeletedCredential: the cache serves the second request, and the
// credential's deletion invalidates it at once.
func TestDeletedCredential(t *testing.T) {
	f := setup(t, "")
	key := http.Header{"Apikey": {"secret-a"}}
	for range 2 {
		if res, body := f.Do(plugintest.Request{Path: "/", Header: key}); res.StatusCode != 200 {
			t.Fatalf("%d %q", res.StatusCode, body)
		}
	}
	ctx := context.Background()
	if err := f.DB.Update(ctx, func(tx *store.Txn) error { _, err := tx.Delete(ctx, "keyauth_credentials", f.cred); return err }); err != nil {
		t.Fatal(err)
	}
	if res, body := f.Do(plugintest.Request{Path: "/", Header: key}); res.StatusCode != 401 || !strings.Contains(body, "Unauthorized") {
		t.Errorf("deleted credential: %d %q", res.StatusCode, body)
	}
	// a new credential with the same key works at once (negative entry dropped)
	f.Insert("keyauth_credentials", `{"consumer":{"id":"`+f.alice+`"},"key":"secret-a"}`)
	if res, body := f.Do(plugintest.Request{Path: "/", Header: key}); res.StatusCode != 200 {
		t.Errorf("recreated credential: %d %q", res.StatusCode, body)
	}
	// deleting the consumer cascades
	if err := f.DB.Update(ctx, func(tx *store.Txn) error { _, err := tx.Delete(ctx, "consumers", f.alice); return err }); err != nil {
		t.Fatal(err)
	}
	if res, body := f.Do(plugintest.Request{Path: "/", Header: key}); res.StatusCode != 401 {
		t.Errorf("deleted consumer: %d %q", res.StatusCode, body)
	}
}

// TestConsumerScoped: a plugin configured on a consumer applies once
// key-auth authenticated the request as that consumer.
func TestConsumerScoped(t *testing.T) {
	f := setup(t, "")
	bob := f.Insert("consumers", `{"username":"bob"}`)
	f.Insert("keyauth_credentials", `{"consumer":{"id":"`+bob+`"},"key":"k-bob"}`)
	f.Plugin("request-termination", plugintest.On("consumer", bob), `{"status_code":418,"message":"bob is blocked"}`)
	res, body := f.Do(plugintest.Request{Path: "/", Header: http.Header{"Apikey": {"k-bob"}}})
	if res.StatusCode != 418 || !strings.Contains(body, "bob is blocked") {
		t.Errorf("bob: %d %q", res.StatusCode, body)
	}
	if res, body = f.Do(plugintest.Request{Path: "/", Header: http.Header{"Apikey": {"secret-a"}}}); res.StatusCode != 200 {
		t.Errorf("alice: %d %q", res.StatusCode, body)
	}
}

func TestSchema(t *testing.T) {
	e := plugintest.New(t, loaded)
	c := e.Insert("consumers", `{"username":"c"}`)
	if err := e.TryInsert("plugins", `{"name":"key-auth","consumer":{"id":"`+c+`"}}`); err == nil {
		t.Error("key-auth on a consumer accepted")
	}
	var key string
	ctx := context.Background()
	_ = e.DB.Update(ctx, func(tx *store.Txn) error {
		r, err := tx.Insert(ctx, "keyauth_credentials", map[string]any{"consumer": map[string]any{"id": c}})
		if err == nil {
			key, _ = r["key"].(string)
		}
		return err
	})
	if len(key) != 32 {
		t.Errorf("auto key %q", key)
	}
}

// TestExpiredCredential: a credential with a ttl stops working when it
// expires, cached or not.
func TestExpiredCredential(t *testing.T) {
	f := setup(t, "")
	f.Insert("keyauth_credentials", `{"consumer":{"id":"`+f.alice+`"},"key":"short","ttl":1}`)
	key := http.Header{"Apikey": {"short"}}
	if res, body := f.Do(plugintest.Request{Path: "/", Header: key}); res.StatusCode != 200 {
		t.Fatalf("before expiry: %d %q", res.StatusCode, body)
	}
	time.Sleep(1600 * time.Millisecond)
	if res, body := f.Do(plugintest.Request{Path: "/", Header: key}); res.StatusCode != 401 {
		t.Errorf("after expiry: %d %q", res.StatusCode, body)
	}
}

func TestPreflightAndRealm(t *testing.T) {
	f := setup(t, `{"run_on_preflight":false,"realm":"api"}`)
	if res, body := f.Do(plugintest.Request{Method: "OPTIONS", Path: "/"}); res.StatusCode != 200 {
		t.Errorf("preflight: %d %q", res.StatusCode, body)
	}
	res, body := f.Get("/")
	if res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") != `Key realm="api"` {
		t.Errorf("realm: %d %v %q", res.StatusCode, res.Header, body)
	}
}

func TestKeyAuthInBody(t *testing.T) {
	f := setup(t, `{"key_in_body":true,"key_in_query":false}`)
	cases := []struct {
		name, contentType, body, upstreamBody string
		status                                int
	}{
		{"form", "application/x-www-form-urlencoded", "a=1&apikey=secret-a", "a=1&apikey=secret-a", 200},
		{"json", "application/json", `{"apikey":"secret-a","n":2}`, `{"apikey":"secret-a","n":2}`, 200},
		{"multipart", "multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"apikey\"\r\n\r\nsecret-a\r\n--XX--\r\n",
			"--XX\r\nContent-Disposition: form-data; name=\"apikey\"\r\n\r\nsecret-a\r\n--XX--\r\n", 200},
		{"wrong key", "application/json", `{"apikey":"nope"}`, "", 401},
		{"duplicate", "application/x-www-form-urlencoded", "apikey=secret-a&apikey=secret-a", "", 401},
		{"not a string", "application/json", `{"apikey":5}`, "", 401},
		{"other type", "text/plain", "apikey=secret-a", "", 401},
		{"bad json", "application/json", `{"apikey":`, "", 401},
	}
	for _, c := range cases {
		res, body := f.Do(plugintest.Request{Method: "POST", Path: "/", Body: c.body, Header: http.Header{"Content-Type": {c.contentType}}})
		if res.StatusCode != c.status {
			t.Errorf("%s: %d %q", c.name, res.StatusCode, body)
			continue
		}
		if c.status == 200 {
			if got := plugintest.DecodeEcho(t, body).Body; got != c.upstreamBody {
				t.Errorf("%s: upstream got body %q, want %q", c.name, got, c.upstreamBody)
			}
		}
	}
}

func TestKeyAuthHideCredentialsInBody(t *testing.T) {
	f := setup(t, `{"key_in_body":true,"hide_credentials":true}`)
	cases := []struct{ contentType, body, want string }{
		{"application/x-www-form-urlencoded", "b=2&apikey=secret-a&a=1", "a=1&b=2"},
		{"application/json", `{"apikey":"secret-a","n":2}`, `{"n":2}`},
		{"multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"apikey\"\r\n\r\nsecret-a\r\n--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XX--\r\n",
			"--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XX--\r\n"},
	}
	for _, c := range cases {
		res, body := f.Do(plugintest.Request{Method: "POST", Path: "/", Body: c.body, Header: http.Header{"Content-Type": {c.contentType}}})
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %q", c.contentType, res.StatusCode, body)
		}
		up := plugintest.DecodeEcho(t, body)
		if up.Body != c.want || strings.Join(up.Headers["Content-Length"], ",") != strconv.Itoa(len(c.want)) {
			t.Errorf("%s: upstream got %q (Content-Length %v), want %q", c.contentType, up.Body, up.Headers["Content-Length"], c.want)
		}
	}
}

// A key in a body beyond client_max_body_size is refused with nginx's 413,
// not read past the limit.
func TestKeyAuthBodyTooLarge(t *testing.T) {
	e := plugintest.New(t, loaded, func(o *proxy.Options) { o.ClientMaxBodySize = 64 })
	route := e.Route(e.Service(), "/")
	e.Plugin("key-auth", plugintest.On("route", route), `{"key_in_body":true}`)
	res, body := e.Do(plugintest.Request{Method: "POST", Path: "/", Body: "apikey=x&pad=" + strings.Repeat("a", 100),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Transfer-Encoding": {"chunked"}}})
	if res.StatusCode != 413 {
		t.Errorf("got %d %q, want 413", res.StatusCode, body)
	}
	if e.Upstream.Count.Load() != 0 {
		t.Error("the request reached the upstream")
	}
}
