package session_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/acl"
	_ "github.com/silverback-gw/silverback/internal/plugins/keyauth"
	_ "github.com/silverback-gw/silverback/internal/plugins/requesttermination"
	"github.com/silverback-gw/silverback/internal/plugins/session"
	"github.com/silverback-gw/silverback/internal/store"
)

var loaded = []string{"session", "key-auth", "request-termination", "acl"}

// fixture is Kong's spec setup: key-auth with an anonymous consumer that
// request-termination refuses (403 "So it goes."), so that a request
// passes only as alice, by key or by session.
type fixture struct {
	*plugintest.Env
	route, alice, cred, session string
}

func setup(t *testing.T, config string) fixture {
	t.Helper()
	e := plugintest.New(t, loaded)
	f := fixture{Env: e}
	f.route = e.Route(e.Service(), "/")
	anon := e.Insert("consumers", `{"username":"anon"}`)
	f.alice = e.Insert("consumers", `{"username":"alice","custom_id":"a-1"}`)
	f.cred = e.Insert("keyauth_credentials", `{"consumer":{"id":"`+f.alice+`"},"key":"kong"}`)
	e.Plugin("key-auth", plugintest.On("route", f.route), `{"anonymous":"`+anon+`"}`)
	e.Plugin("request-termination", plugintest.On("consumer", anon), `{"status_code":403,"message":"So it goes."}`)
	f.session = e.Plugin("session", plugintest.On("route", f.route), config)
	return f
}

// login authenticates with the key and returns the session's Set-Cookie
// lines.
func (f fixture) login(t *testing.T) []string {
	t.Helper()
	res, body := f.Do(plugintest.Request{Path: "/", Header: http.Header{"Apikey": {"kong"}}})
	if res.StatusCode != 200 {
		t.Fatalf("login: %d %q", res.StatusCode, body)
	}
	cookies := res.Header.Values("Set-Cookie")
	if len(cookies) == 0 {
		t.Fatal("login: no Set-Cookie")
	}
	return cookies
}

// with sends a request carrying the cookie header (as Kong's tests do, the
// Set-Cookie line itself: its attributes read as other cookies).
func (f fixture) with(cookie string, r plugintest.Request) (*http.Response, string) {
	f.T.Helper()
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.Header.Set("Cookie", cookie)
	if r.Path == "" {
		r.Path = "/"
	}
	return f.Do(r)
}

// fakeClock makes sessions see a time that only advance moves.
func fakeClock(t *testing.T) (advance func(time.Duration)) {
	now := time.Now()
	var mu sync.Mutex
	t.Cleanup(session.SetClock(func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}))
	return func(d time.Duration) {
		mu.Lock()
		now = now.Add(d)
		mu.Unlock()
	}
}

func echoed(t *testing.T, body string) plugintest.Echoed {
	t.Helper()
	var e plugintest.Echoed
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("not the echo's body: %q", body)
	}
	return e
}

// cookieValue returns the value of a Set-Cookie line.
func cookieValue(line string) string {
	v, _, _ := strings.Cut(line, ";")
	_, v, _ = strings.Cut(v, "=")
	return v
}

func TestSessionAuthenticates(t *testing.T) {
	f := setup(t, "")
	if res, body := f.Get("/"); res.StatusCode != 403 || !strings.Contains(body, "So it goes.") {
		t.Fatalf("anonymous: %d %q", res.StatusCode, body)
	}
	cookies := f.login(t)
	if len(cookies) != 1 {
		t.Fatalf("Set-Cookie %q", cookies)
	}
	cookie := cookies[0]
	parts := strings.Split(cookie, "; ")
	if want := []string{"Path=/", "SameSite=Strict", "Secure", "HttpOnly"}; strings.Join(parts[1:], "|") != strings.Join(want, "|") ||
		!strings.HasPrefix(parts[0], "session=") {
		t.Errorf("Set-Cookie %q", cookie)
	}
	// cookie storage: the 110-character header and the encrypted data
	if n := len(cookieValue(cookie)); n <= 110 {
		t.Errorf("cookie value of %d characters", n)
	}

	res, body := f.with(cookie, plugintest.Request{Header: http.Header{"X-Consumer-Username": {"spoof"}, "X-Authenticated-Groups": {"spoof"}}})
	if res.StatusCode != 200 {
		t.Fatalf("with cookie: %d %q", res.StatusCode, body)
	}
	up := echoed(t, body)
	want := map[string]string{"X-Consumer-Id": f.alice, "X-Consumer-Username": "alice", "X-Consumer-Custom-Id": "a-1",
		"X-Credential-Identifier": f.cred, "X-Anonymous-Consumer": "", "X-Authenticated-Groups": ""}
	for k, v := range want {
		if got := strings.Join(up.Headers[k], ","); got != v {
			t.Errorf("upstream %s = %q, want %q", k, got, v)
		}
	}
	// a fresh session is neither saved again nor touched
	if sc := res.Header.Values("Set-Cookie"); len(sc) != 0 {
		t.Errorf("Set-Cookie on the second request: %q", sc)
	}
}

func TestTamperedCookie(t *testing.T) {
	f := setup(t, "")
	value := cookieValue(f.login(t)[0])
	flip := func(i int) string {
		b := []byte(value)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	for name, v := range map[string]string{
		"header":     flip(50),             // the session id
		"mac":        flip(105),            // the header's MAC
		"payload":    flip(len(value) - 5), // the ciphertext
		"truncated":  value[:len(value)-4],
		"short":      value[:100],
		"not base64": "!" + value[1:],
		"empty":      "",
	} {
		res, body := f.with("session="+v, plugintest.Request{})
		if res.StatusCode != 403 || !strings.Contains(body, "So it goes.") {
			t.Errorf("%s: %d %q", name, res.StatusCode, body)
		}
	}
	// another secret cannot read it
	f2 := setup(t, `{"secret":"another secret"}`)
	if res, _ := f2.with("session="+value, plugintest.Request{}); res.StatusCode != 403 {
		t.Errorf("other secret: %d", res.StatusCode)
	}
	if strings.Contains(f.Logs.String(), value[:40]) {
		t.Error("the cookie was logged")
	}
	if strings.Contains(f2.Logs.String(), "another secret") {
		t.Error("the secret was logged")
	}
}

func TestIdlingTimeout(t *testing.T) {
	f := setup(t, `{"idling_timeout":1}`)
	cookie := f.login(t)[0]
	if res, _ := f.with(cookie, plugintest.Request{}); res.StatusCode != 200 {
		t.Fatalf("before the timeout: %d", res.StatusCode)
	}
	time.Sleep(2100 * time.Millisecond)
	if res, _ := f.with(cookie, plugintest.Request{}); res.StatusCode != 403 {
		t.Errorf("after the timeout: %d", res.StatusCode)
	}
	// the key still works and starts a new session
	if cookies := f.login(t); cookieValue(cookies[0]) == cookieValue(cookie) {
		t.Error("the same cookie again")
	}
}

// A request after a minute idle renews the idling offset: the touched
// cookie lives on, the old one idles out.
func TestIdlingTouch(t *testing.T) {
	advance := fakeClock(t)
	f := setup(t, `{"idling_timeout":100}`)
	cookie := f.login(t)[0]
	advance(70 * time.Second)
	res, _ := f.with(cookie, plugintest.Request{})
	touched := res.Header.Get("Set-Cookie")
	if res.StatusCode != 200 || touched == "" {
		t.Fatalf("touch: %d %q", res.StatusCode, touched)
	}
	// same session id, new idling offset and MAC
	if v, old := cookieValue(touched), cookieValue(cookie); v[:80] != old[:80] || v[80:110] == old[80:110] {
		t.Errorf("touched header %q from %q", v[:110], old[:110])
	}
	advance(70 * time.Second)
	if res, _ := f.with(touched, plugintest.Request{}); res.StatusCode != 200 {
		t.Errorf("touched cookie: %d", res.StatusCode)
	}
	if res, _ := f.with(cookie, plugintest.Request{}); res.StatusCode != 403 {
		t.Errorf("untouched cookie after 140s idle: %d", res.StatusCode)
	}
}

func TestAbsoluteTimeout(t *testing.T) {
	advance := fakeClock(t)
	f := setup(t, `{"absolute_timeout":100,"idling_timeout":0,"rolling_timeout":0}`)
	cookie := f.login(t)[0]
	advance(100 * time.Second)
	if res, _ := f.with(cookie, plugintest.Request{}); res.StatusCode != 200 {
		t.Errorf("at the timeout: %d", res.StatusCode)
	}
	advance(time.Second)
	if res, _ := f.with(cookie, plugintest.Request{}); res.StatusCode != 403 {
		t.Errorf("after the timeout: %d", res.StatusCode)
	}
}

// A persistent session has a second cookie with Expires and Max-Age,
// which starts a new session once the first one idled out.
func TestRemember(t *testing.T) {
	advance := fakeClock(t)
	f := setup(t, `{"remember":true,"remember_rolling_timeout":3600,"idling_timeout":100}`)
	cookies := f.login(t)
	if len(cookies) != 2 || !strings.HasPrefix(cookies[0], "session=") || !strings.HasPrefix(cookies[1], "remember=") {
		t.Fatalf("Set-Cookie %q", cookies)
	}
	parts := strings.Split(cookies[1], "; ")
	if len(parts) != 7 || strings.Join(parts[1:5], "; ") != "Path=/; SameSite=Strict; Secure; HttpOnly" ||
		!strings.HasPrefix(parts[5], "Expires=") || parts[6] != "Max-Age=3600" {
		t.Errorf("remember cookie %q", cookies[1])
	}
	both := "session=" + cookieValue(cookies[0]) + "; remember=" + cookieValue(cookies[1])
	advance(200 * time.Second)
	res, body := f.with(both, plugintest.Request{})
	if res.StatusCode != 200 || echoed(t, body).Headers.Get("X-Consumer-Id") != f.alice {
		t.Fatalf("remembered: %d %q", res.StatusCode, body)
	}
	renewed := res.Header.Values("Set-Cookie")
	if len(renewed) != 2 || cookieValue(renewed[0]) == cookieValue(cookies[0]) {
		t.Fatalf("new cookies %q", renewed)
	}
	if res, _ := f.with(renewed[0], plugintest.Request{}); res.StatusCode != 200 {
		t.Errorf("new session cookie: %d", res.StatusCode)
	}
	// logout ends both
	res, _ = f.with(both, plugintest.Request{Method: "POST", Path: "/?session_logout"})
	got := res.Header.Values("Set-Cookie")
	slices.Sort(got)
	if res.StatusCode != 200 || len(got) != 2 || !strings.HasPrefix(got[0], "remember=; ") || !strings.HasPrefix(got[1], "session=; ") ||
		!strings.HasSuffix(got[0], "Max-Age=0") || !strings.HasSuffix(got[1], "Max-Age=0") {
		t.Errorf("logout: %d %q", res.StatusCode, got)
	}
	// past the remember timeout nothing is left
	advance(3600 * time.Second)
	if res, _ := f.with(both, plugintest.Request{}); res.StatusCode != 403 {
		t.Errorf("past the remember timeout: %d", res.StatusCode)
	}
}

// A session whose consumer was deleted is destroyed.
func TestDeletedConsumer(t *testing.T) {
	f := setup(t, "")
	cookie := f.login(t)[0]
	ctx := context.Background()
	if err := f.DB.Update(ctx, func(tx *store.Txn) error { _, err := tx.Delete(ctx, "consumers", f.alice); return err }); err != nil {
		t.Fatal(err)
	}
	res, body := f.with(cookie, plugintest.Request{})
	if res.StatusCode != 403 || !strings.Contains(body, "So it goes.") || !strings.Contains(res.Header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("%d %q %q", res.StatusCode, body, res.Header.Get("Set-Cookie"))
	}
}

// Two instances with their audiences share one cookie: each keeps its
// consumer, and logging out of one keeps the other.
func TestAudiences(t *testing.T) {
	e := plugintest.New(t, loaded)
	svc := e.Service()
	anon := e.Insert("consumers", `{"username":"anon"}`)
	e.Plugin("request-termination", plugintest.On("consumer", anon), `{"status_code":403,"message":"So it goes."}`)
	users := map[string]string{}
	for _, app := range []string{"a", "b"} {
		route := e.Route(svc, "/"+app)
		users[app] = e.Insert("consumers", `{"username":"user-`+app+`"}`)
		e.Insert("keyauth_credentials", `{"consumer":{"id":"`+users[app]+`"},"key":"key-`+app+`"}`)
		e.Plugin("key-auth", plugintest.On("route", route), `{"anonymous":"`+anon+`"}`)
		e.Plugin("session", plugintest.On("route", route), `{"secret":"shared","audience":"`+app+`"}`)
	}
	res, _ := e.Do(plugintest.Request{Path: "/a", Header: http.Header{"Apikey": {"key-a"}}})
	cookie := res.Header.Get("Set-Cookie")
	res, _ = e.Do(plugintest.Request{Path: "/b", Header: http.Header{"Apikey": {"key-b"}, "Cookie": {cookie}}})
	both := res.Header.Get("Set-Cookie")
	if res.StatusCode != 200 || both == "" {
		t.Fatalf("second audience: %d %q", res.StatusCode, both)
	}
	for app, id := range users {
		res, body := e.Do(plugintest.Request{Path: "/" + app, Header: http.Header{"Cookie": {both}}})
		if res.StatusCode != 200 || echoed(t, body).Headers.Get("X-Consumer-Id") != id {
			t.Errorf("%s: %d %q", app, res.StatusCode, body)
		}
	}
	res, _ = e.Do(plugintest.Request{Method: "DELETE", Path: "/b?session_logout", Header: http.Header{"Cookie": {both}}})
	onlyA := res.Header.Get("Set-Cookie")
	if res.StatusCode != 200 || strings.Contains(onlyA, "Max-Age=0") {
		t.Fatalf("logout of b: %d %q", res.StatusCode, onlyA)
	}
	if res, _ := e.Do(plugintest.Request{Path: "/a", Header: http.Header{"Cookie": {onlyA}}}); res.StatusCode != 200 {
		t.Errorf("a after b's logout: %d", res.StatusCode)
	}
	if res, _ := e.Do(plugintest.Request{Path: "/b", Header: http.Header{"Cookie": {onlyA}}}); res.StatusCode != 403 {
		t.Errorf("b after its logout: %d", res.StatusCode)
	}
}

// Large session data is deflated, and beyond one cookie split into
// <name>2, <name>3 ...
func TestLargeData(t *testing.T) {
	random := make([]byte, 7000)
	_, _ = rand.Read(random)
	for name, c := range map[string]struct {
		audience string
		cookies  int
	}{
		"deflated": {strings.Repeat("a", 5000), 1},
		"chunked":  {base64.RawURLEncoding.EncodeToString(random), 3}, // deflated too, to ~9.6k characters
	} {
		f := setup(t, `{"audience":"`+c.audience+`"}`)
		cookies := f.login(t)
		if len(cookies) != c.cookies {
			t.Errorf("%s: %d cookies", name, len(cookies))
			continue
		}
		var header []string
		for i, line := range cookies {
			if len(line) > 4096+len("; Path=/; SameSite=Strict; Secure; HttpOnly") {
				t.Errorf("%s: cookie %d of %d bytes", name, i, len(line))
			}
			k, _, _ := strings.Cut(line, ";")
			header = append(header, k)
		}
		// one Cookie line per cookie: together they exceed a header line's
		// 8k (nginx's large_client_header_buffers)
		send := func(cookies []string) int {
			res, _ := f.Do(plugintest.Request{Path: "/", Header: http.Header{"Cookie": cookies}})
			return res.StatusCode
		}
		if status := send(header); status != 200 {
			t.Errorf("%s: %d", name, status)
		}
		if len(header) > 1 {
			if status := send(header[:len(header)-1]); status != 403 {
				t.Errorf("%s without its last chunk: %d", name, status)
			}
		}
	}
}

// The session's Set-Cookie replaces one the upstream set for the same
// cookie; the upstream's other cookies are kept.
func TestUpstreamCookies(t *testing.T) {
	e := plugintest.New(t, loaded)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Add("Set-Cookie", "other=1; Path=/")
		w.Header().Add("Set-Cookie", "session=upstream; Path=/")
	}))
	t.Cleanup(upstream.Close)
	route := e.Route(e.Insert("services", `{"url":"`+upstream.URL+`"}`), "/")
	alice := e.Insert("consumers", `{"username":"alice"}`)
	e.Insert("keyauth_credentials", `{"consumer":{"id":"`+alice+`"},"key":"kong"}`)
	e.Plugin("key-auth", plugintest.On("route", route), "")
	e.Plugin("session", plugintest.On("route", route), "")
	res, _ := e.Do(plugintest.Request{Path: "/", Header: http.Header{"Apikey": {"kong"}}})
	got := res.Header.Values("Set-Cookie")
	if len(got) != 2 || got[0] != "other=1; Path=/" || !strings.HasPrefix(got[1], "session=") || len(cookieValue(got[1])) < 110 {
		t.Errorf("Set-Cookie %q", got)
	}
}

func TestSchema(t *testing.T) {
	e := plugintest.New(t, loaded)
	route := e.Route(e.Service(), "/")
	id := e.Plugin("session", plugintest.On("route", route), "")
	ctx := context.Background()
	var config map[string]any
	_ = e.DB.View(ctx, func(tx *store.Txn) error {
		row, err := tx.Get(ctx, "plugins", id)
		if err == nil {
			config, _ = row["config"].(map[string]any)
		}
		return err
	})
	secret, _ := config["secret"].(string)
	if len(secret) != 44 || strings.ContainsAny(secret, "+/=") {
		t.Errorf("secret %q", secret)
	}
	want := map[string]any{"storage": "cookie", "audience": "default", "idling_timeout": 900.0, "rolling_timeout": 3600.0,
		"absolute_timeout": 86400.0, "stale_ttl": 10.0, "cookie_name": "session", "cookie_path": "/", "cookie_domain": nil,
		"cookie_same_site": "Strict", "cookie_http_only": true, "cookie_secure": true, "remember": false,
		"remember_cookie_name": "remember", "remember_rolling_timeout": 604800.0, "remember_absolute_timeout": 2592000.0,
		"response_headers": nil, "request_headers": nil, "read_body_for_logout": false, "logout_query_arg": "session_logout",
		"logout_post_arg": "session_logout"}
	for k, v := range want {
		if got := config[k]; !equalNumber(got, v) {
			t.Errorf("default %s = %#v, want %#v", k, got, v)
		}
	}
	for _, bad := range []string{`{"storage":"redis"}`, `{"cookie_same_site":"strict"}`, `{"logout_methods":["PUT"]}`,
		`{"response_headers":["secret"]}`, `{"idling_timeout":"x"}`} {
		if err := e.TryInsert("plugins", `{"name":"session","config":`+bad+`}`); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	c := e.Insert("consumers", `{"username":"c"}`)
	if err := e.TryInsert("plugins", `{"name":"session","consumer":{"id":"`+c+`"}}`); err == nil {
		t.Error("session on a consumer accepted")
	}
}

func equalNumber(a, b any) bool {
	if fb, ok := b.(float64); ok {
		switch n := a.(type) {
		case float64:
			return n == fb
		case int64:
			return float64(n) == fb
		}
		return false
	}
	return a == b
}

// Past three quarters of the rolling timeout the session is saved under a
// new id; the new cookie works.
func TestRollingRenewal(t *testing.T) {
	advance := fakeClock(t)
	f := setup(t, `{"rolling_timeout":100}`)
	cookie := f.login(t)[0]
	advance(50 * time.Second) // not yet
	if res, _ := f.with(cookie, plugintest.Request{}); res.StatusCode != 200 || res.Header.Get("Set-Cookie") != "" {
		t.Fatalf("at half the rolling timeout: %d %q", res.StatusCode, res.Header.Get("Set-Cookie"))
	}
	advance(26 * time.Second) // 76 > 75
	res, body := f.with(cookie, plugintest.Request{})
	if res.StatusCode != 200 {
		t.Fatalf("renewal: %d %q", res.StatusCode, body)
	}
	renewed := res.Header.Get("Set-Cookie")
	if renewed == "" || cookieValue(renewed)[3:46] == cookieValue(cookie)[3:46] {
		t.Fatalf("no new session id: %q", renewed)
	}
	if res, _ := f.with(renewed, plugintest.Request{}); res.StatusCode != 200 {
		t.Errorf("renewed cookie: %d", res.StatusCode)
	}
	// the rolling timeout counts from the renewal, the absolute one from
	// the login
	advance(90 * time.Second)
	if res, _ := f.with(cookie, plugintest.Request{}); res.StatusCode != 403 {
		t.Errorf("old cookie past its rolling timeout: %d", res.StatusCode)
	}
	if res, _ := f.with(renewed, plugintest.Request{}); res.StatusCode != 200 {
		t.Errorf("renewed cookie within its rolling timeout: %d", res.StatusCode)
	}
}

func TestLogout(t *testing.T) {
	f := setup(t, "")
	cookie := f.login(t)[0]
	// GET is not a logout method by default
	if res, body := f.with(cookie, plugintest.Request{Path: "/?session_logout=true"}); res.StatusCode != 200 || echoed(t, body).Method != "GET" {
		t.Errorf("GET: %d %q", res.StatusCode, body)
	}
	// without the argument a DELETE is proxied
	if res, body := f.with(cookie, plugintest.Request{Method: "DELETE", Path: "/x"}); res.StatusCode != 200 || echoed(t, body).Method != "DELETE" {
		t.Errorf("DELETE without argument: %d %q", res.StatusCode, body)
	}
	before := f.Upstream.Count.Load()
	res, body := f.with(cookie, plugintest.Request{Method: "DELETE", Path: "/?session_logout"})
	if res.StatusCode != 200 || body != "" || f.Upstream.Count.Load() != before {
		t.Fatalf("logout: %d %q", res.StatusCode, body)
	}
	want := "session=; Path=/; SameSite=Strict; Secure; HttpOnly; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0"
	if got := res.Header.Values("Set-Cookie"); len(got) != 1 || got[0] != want {
		t.Errorf("logout Set-Cookie %q, want %q", got, want)
	}
	// the cookie itself stays valid with cookie storage (as in Kong)
}

func TestLogoutByBody(t *testing.T) {
	f := setup(t, `{"read_body_for_logout":true,"logout_methods":["POST"]}`)
	cookie := f.login(t)[0]
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	jsonType := http.Header{"Content-Type": {"application/json"}}
	cases := []struct {
		name   string
		method string
		header http.Header
		body   string
		logout bool
	}{
		{"form", "POST", form, "a=1&session_logout=1", true},
		{"json", "POST", jsonType, `{"session_logout":true}`, true},
		{"json false", "POST", jsonType, `{"session_logout":false}`, false},
		{"other argument", "POST", form, "a=1", false},
		{"not a logout method", "PUT", form, "session_logout=1", false},
	}
	for _, c := range cases {
		before := f.Upstream.Count.Load()
		res, body := f.with(cookie, plugintest.Request{Method: c.method, Header: c.header.Clone(), Body: c.body})
		loggedOut := res.StatusCode == 200 && f.Upstream.Count.Load() == before && strings.Contains(res.Header.Get("Set-Cookie"), "Max-Age=0")
		if loggedOut != c.logout || res.StatusCode != 200 {
			t.Errorf("%s: %d %q, Set-Cookie %q", c.name, res.StatusCode, body, res.Header.Get("Set-Cookie"))
		}
	}
}

func TestCookieAttributes(t *testing.T) {
	cases := []struct{ config, want string }{
		{`{"cookie_name":"da_cookie","cookie_same_site":"Lax","cookie_http_only":false,"cookie_secure":false}`,
			"; Path=/; SameSite=Lax"},
		{`{"cookie_domain":"example.test","cookie_path":"/api","cookie_same_site":"None","cookie_secure":false}`,
			"; Domain=example.test; Path=/api; SameSite=None; Secure; HttpOnly"},
		{`{"cookie_domain":"localhost","cookie_same_site":"Default"}`, "; Path=/; SameSite=Default; Secure; HttpOnly"},
		// null: lua-resty-session's own defaults
		{`{"cookie_same_site":null,"cookie_secure":null,"cookie_http_only":null}`, "; Path=/; SameSite=Lax; HttpOnly"},
	}
	for _, c := range cases {
		f := setup(t, c.config)
		cookie := f.login(t)[0]
		if _, attrs, _ := strings.Cut(cookie, ";"); ";"+attrs != c.want {
			t.Errorf("%s: Set-Cookie %q, want attributes %q", c.config, cookie, c.want)
		}
		name, _, _ := strings.Cut(cookie, "=")
		if res, _ := f.with(cookie, plugintest.Request{}); res.StatusCode != 200 {
			t.Errorf("%s: cookie %s refused", c.config, name)
		}
	}
}

func TestHeaders(t *testing.T) {
	f := setup(t, `{"response_headers":["id","audience","subject","timeout","idling-timeout"],"request_headers":["subject","absolute-timeout"],"audience":"app","rolling_timeout":0}`)
	res, _ := f.Do(plugintest.Request{Path: "/", Header: http.Header{"Apikey": {"kong"}}})
	sid := res.Header.Get("Session-Id")
	want := map[string]string{"Session-Audience": "app", "Session-Subject": "alice", "Session-Timeout": "900",
		"Session-Idling-Timeout": "900", "Session-Rolling-Timeout": ""}
	for k, v := range want {
		if got := res.Header.Get(k); got != v {
			t.Errorf("login %s = %q, want %q", k, got, v)
		}
	}
	if len(sid) != 43 {
		t.Errorf("Session-Id %q", sid)
	}
	res, body := f.with(res.Header.Get("Set-Cookie"), plugintest.Request{})
	if res.StatusCode != 200 || res.Header.Get("Session-Id") != sid || res.Header.Get("Session-Subject") != "alice" {
		t.Errorf("with cookie: %d %v", res.StatusCode, res.Header)
	}
	up := echoed(t, body)
	if up.Headers.Get("Session-Subject") != "alice" || up.Headers.Get("Session-Absolute-Timeout") != "86400" || up.Headers.Get("Session-Id") != "" {
		t.Errorf("upstream headers %v", up.Headers)
	}
}

func TestStorageKong(t *testing.T) {
	f := setup(t, `{"storage":"kong","response_headers":["id"]}`)
	res, body := f.Do(plugintest.Request{Path: "/", Header: http.Header{"Apikey": {"kong"}}})
	if res.StatusCode != 200 {
		t.Fatalf("login: %d %q", res.StatusCode, body)
	}
	cookie, sid := res.Header.Get("Set-Cookie"), res.Header.Get("Session-Id")
	if n := len(cookieValue(cookie)); n != 110 {
		t.Errorf("cookie of %d characters, want the header only", n)
	}
	row := f.row(t, sid)
	if row == nil {
		t.Fatal("no sessions row")
	}
	if data, _ := row["data"].(string); !strings.HasPrefix(data, `["`) || strings.Contains(data, f.alice) {
		t.Errorf("stored data %q", data)
	}
	if exp, ttl := toInt(row["expires"]), toInt(row["ttl"]); exp < time.Now().Unix()+3590 || ttl < 3590 || ttl > 3600 {
		t.Errorf("expires %v ttl %v", row["expires"], row["ttl"])
	}

	res, body = f.with(cookie, plugintest.Request{})
	if res.StatusCode != 200 || echoed(t, body).Headers.Get("X-Consumer-Id") != f.alice {
		t.Fatalf("with cookie: %d %q", res.StatusCode, body)
	}

	// without its row the cookie is nothing
	res, _ = f.with(cookie, plugintest.Request{Method: "DELETE", Path: "/?session_logout=1"})
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("logout: %d %q", res.StatusCode, res.Header.Get("Set-Cookie"))
	}
	if f.row(t, sid) != nil {
		t.Error("the row outlived the logout")
	}
	if res, _ := f.with(cookie, plugintest.Request{}); res.StatusCode != 403 {
		t.Errorf("after logout: %d", res.StatusCode)
	}
}

// A renewed stored session gets a new row; the old one stays for
// stale_ttl seconds.
func TestStorageKongRenewal(t *testing.T) {
	advance := fakeClock(t)
	f := setup(t, `{"storage":"kong","rolling_timeout":100,"stale_ttl":5,"response_headers":["id"]}`)
	res, _ := f.Do(plugintest.Request{Path: "/", Header: http.Header{"Apikey": {"kong"}}})
	cookie, sid := res.Header.Get("Set-Cookie"), res.Header.Get("Session-Id")
	advance(80 * time.Second)
	res, body := f.with(cookie, plugintest.Request{})
	if res.StatusCode != 200 {
		t.Fatalf("renewal: %d %q", res.StatusCode, body)
	}
	newSID := res.Header.Get("Session-Id")
	if newSID == sid || f.row(t, newSID) == nil {
		t.Fatalf("no new row for %q (old %q)", newSID, sid)
	}
	old := f.row(t, sid)
	if old == nil || toInt(old["ttl"]) > 5 {
		t.Errorf("old row %v", old)
	}
	if res, _ := f.with(res.Header.Get("Set-Cookie"), plugintest.Request{}); res.StatusCode != 200 {
		t.Errorf("renewed cookie: %d", res.StatusCode)
	}
}

func (f fixture) row(t *testing.T, sid string) store.Row {
	t.Helper()
	var row store.Row
	ctx := context.Background()
	err := f.DB.View(ctx, func(tx *store.Txn) error {
		var err error
		row, err = tx.GetBy(ctx, "sessions", "session_id", sid)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return row
}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	case int:
		return int64(n)
	}
	return -1
}

// TestDeprecatedShorthands: the pre-3.0 names Kong 3.9 still accepts are
// moved onto their replacements and neither stored nor returned.
func TestDeprecatedShorthands(t *testing.T) {
	e := plugintest.New(t, loaded)
	route := e.Route(e.Service(), "/")
	id := e.Plugin("session", plugintest.On("route", route), `{"cookie_lifetime":120,"cookie_idletime":30,"cookie_renew":600,
		"cookie_discard":5,"cookie_samesite":"off","cookie_httponly":false,"cookie_persistent":true}`)
	ctx := context.Background()
	var config map[string]any
	_ = e.DB.View(ctx, func(tx *store.Txn) error {
		row, err := tx.Get(ctx, "plugins", id)
		if err == nil {
			config, _ = row["config"].(map[string]any)
		}
		return err
	})
	want := map[string]any{"rolling_timeout": 120.0, "idling_timeout": 30.0, "stale_ttl": 5.0,
		"cookie_same_site": "Lax", "cookie_http_only": false, "remember": true}
	for k, v := range want {
		if got := config[k]; !equalNumber(got, v) {
			t.Errorf("%s = %#v, want %#v", k, got, v)
		}
	}
	for _, old := range []string{"cookie_lifetime", "cookie_idletime", "cookie_renew", "cookie_discard", "cookie_samesite",
		"cookie_httponly", "cookie_persistent"} {
		if _, ok := config[old]; ok {
			t.Errorf("%s stored", old)
		}
	}
	if err := e.TryInsert("plugins", `{"name":"session","config":{"cookie_lifetime":"long"}}`); err == nil {
		t.Error("a shorthand of the wrong type accepted")
	}
}
