package hmacauth_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/hmacauth"
)

var loaded = []string{"hmac-auth"}

const (
	msgNoDate   = "HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication"
	msgNotValid = "HMAC signature cannot be verified"
	msgNoMatch  = "HMAC signature does not match"
)

// message is the message of Kong's JSON error body.
func message(t *testing.T, body string) string {
	t.Helper()
	var m struct{ Message string }
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not a JSON error: %q", body)
	}
	return m.Message
}

// sign is the base64 HMAC of signing with secret.
func sign(algorithm, secret, signing string) string {
	h := map[string]func() hash.Hash{"hmac-sha1": sha1.New, "hmac-sha256": sha256.New,
		"hmac-sha384": sha512.New384, "hmac-sha512": sha512.New}[algorithm]
	mac := hmac.New(h, []byte(secret))
	mac.Write([]byte(signing))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// authorization is an hmac header value.
func authorization(username, algorithm, headers, signature string) string {
	return `hmac username="` + username + `", algorithm="` + algorithm + `", headers="` + headers + `", signature="` + signature + `"`
}

// now is a Date header value for the current time.
func now() string { return time.Now().UTC().Format(http.TimeFormat) }

type fixture struct {
	*plugintest.Env
	route, alice, cred string
}

// setup configures hmac-auth on a route, and alice's credential "alice"
// with secret "s3cret".
func setup(t testing.TB, config string) fixture {
	e := plugintest.New(t, loaded)
	f := fixture{Env: e}
	f.route = e.Route(e.Service(), "/")
	e.Plugin("hmac-auth", plugintest.On("route", f.route), config)
	f.alice = e.Insert("consumers", `{"username":"alice","custom_id":"a-1"}`)
	f.cred = e.Insert("hmacauth_credentials", `{"consumer":{"id":"`+f.alice+`"},"username":"alice","secret":"s3cret"}`)
	return f
}

func TestRefused(t *testing.T) {
	f := setup(t, `{"algorithms":["hmac-sha1","hmac-sha256"]}`)
	date := now()
	good := sign("hmac-sha1", "s3cret", "date: "+date)
	cases := []struct {
		name   string
		header http.Header
		msg    string
	}{
		{"no authorization", http.Header{"Date": {date}}, "Unauthorized"},
		{"no date", http.Header{"Authorization": {authorization("alice", "hmac-sha1", "date", good)}}, msgNoDate},
		{"date too old", http.Header{"Date": {time.Now().Add(-301 * time.Second).UTC().Format(http.TimeFormat)},
			"Authorization": {authorization("alice", "hmac-sha1", "date", good)}}, msgNoDate},
		{"date in the future", http.Header{"X-Date": {time.Now().Add(400 * time.Second).UTC().Format(http.TimeFormat)},
			"Authorization": {authorization("alice", "hmac-sha1", "x-date", good)}}, msgNoDate},
		{"malformed date", http.Header{"Date": {"yesterday"}, "Authorization": {authorization("alice", "hmac-sha1", "date", good)}}, msgNoDate},
		{"not hmac", http.Header{"Date": {date}, "Authorization": {"asd"}}, msgNotValid},
		{"upper-case scheme", http.Header{"Date": {date}, "Authorization": {"HMAC" + strings.TrimPrefix(authorization("alice", "hmac-sha1", "date", good), "hmac")}}, msgNotValid},
		{"fields out of order", http.Header{"Date": {date},
			"Authorization": {`hmac username="alice", headers="date", algorithm="hmac-sha1", signature="` + good + `"`}}, msgNotValid},
		{"algorithm not allowed", http.Header{"Date": {date},
			"Authorization": {authorization("alice", "hmac-sha512", "date", sign("hmac-sha512", "s3cret", "date: "+date))}}, msgNotValid},
		{"unknown username", http.Header{"Date": {date}, "Authorization": {authorization("bob", "hmac-sha1", "date", good)}}, msgNotValid},
		{"wrong secret", http.Header{"Date": {date}, "Authorization": {authorization("alice", "hmac-sha1", "date", sign("hmac-sha1", "other", "date: "+date))}}, msgNoMatch},
		{"other algorithm than signed", http.Header{"Date": {date}, "Authorization": {authorization("alice", "hmac-sha256", "date", good)}}, msgNoMatch},
		{"signed header changed", http.Header{"Date": {date}, "X-A": {"2"},
			"Authorization": {authorization("alice", "hmac-sha1", "date x-a", sign("hmac-sha1", "s3cret", "date: "+date+"\nx-a: 1"))}}, msgNoMatch},
		{"signature not base64", http.Header{"Date": {date},
			"Authorization": {authorization("alice", "hmac-sha1", "date", "not really a base64 encoded value!!!")}}, msgNoMatch},
		{"proxy-authorization wrong, authorization right", http.Header{"Date": {date},
			"Proxy-Authorization": {authorization("alice", "hmac-sha1", "date", sign("hmac-sha1", "s3cret", "nope"))},
			"Authorization":       {authorization("alice", "hmac-sha1", "date", good)}}, msgNoMatch},
	}
	for _, c := range cases {
		c.header.Set("Accept", "application/json")
		res, body := f.Do(plugintest.Request{Path: "/", Header: c.header})
		if res.StatusCode != 401 || message(t, body) != c.msg || res.Header.Get("WWW-Authenticate") != "hmac" {
			t.Errorf("%s: %d %v %q, want 401 %q", c.name, res.StatusCode, res.Header, body, c.msg)
		}
	}
	if n := f.Upstream.Count.Load(); n != 0 {
		t.Errorf("%d refused requests reached the upstream", n)
	}
}

func TestAllowed(t *testing.T) {
	f := setup(t, "")
	date := now()
	host := strings.TrimPrefix(f.Server.URL, "http://")
	type request struct {
		name, method, path string
		header             http.Header
		headers, signing   string // the signed header names, the signing string
		algorithm          string
	}
	cases := []request{
		{name: "date", headers: "date", signing: "date: " + date},
		{name: "names keep their case", headers: "Date", signing: "Date: " + date},
		{name: "x-date", header: http.Header{"X-Date": {date}, "Date": {"not a date"}}, headers: "x-date", signing: "x-date: " + date},
		{name: "date valid, x-date malformed and signed", header: http.Header{"X-Date": {"wrong date"}},
			headers: "date x-date", signing: "date: " + date + "\nx-date: wrong date"},
		{name: "request-line", path: "/request%20x?a=1&b=%20", headers: "date request-line",
			signing: "date: " + date + "\nGET /request%20x?a=1&b=%20 HTTP/1.1"},
		{name: "request-line without query", method: "POST", path: "/r", headers: "request-line", signing: "POST /r HTTP/1.1"},
		{name: "@request-target", path: "/request?a=1", headers: "@request-target date",
			signing: "@request-target: get /request?a=1\ndate: " + date},
		{name: "absent header", headers: "date content-md5", signing: "date: " + date + "\ncontent-md5:"},
		{name: "empty header", header: http.Header{"X-Empty": {""}}, headers: "x-empty date", signing: "x-empty: \ndate: " + date},
		{name: "underscore name", header: http.Header{"X-Custom": {"v"}}, headers: "x_custom", signing: "x_custom: v"},
		{name: "first of repeated header", header: http.Header{"X-R": {"1", "2"}}, headers: "x-r", signing: "x-r: 1"},
		{name: "two spaces", headers: "date  x", signing: "date: " + date + "\n:\nx:"},
		{name: "host", headers: "host", signing: "host: " + host},
		{name: "hmac-sha256", headers: "date", signing: "date: " + date, algorithm: "hmac-sha256"},
		{name: "hmac-sha384", headers: "date", signing: "date: " + date, algorithm: "hmac-sha384"},
		{name: "hmac-sha512", headers: "date", signing: "date: " + date, algorithm: "hmac-sha512"},
	}
	for _, c := range cases {
		if c.algorithm == "" {
			c.algorithm = "hmac-sha1"
		}
		if c.path == "" {
			c.path = "/"
		}
		h := c.header.Clone()
		if h == nil {
			h = http.Header{}
		}
		if _, ok := h["Date"]; !ok {
			h.Set("Date", date)
		}
		h.Set("Authorization", authorization("alice", c.algorithm, c.headers, sign(c.algorithm, "s3cret", c.signing)))
		// spoofed consumer headers are replaced
		h.Set("X-Consumer-Id", "spoof")
		h.Set("X-Anonymous-Consumer", "true")
		h.Set("X-Credential-Identifier", "spoof")
		res, body := f.Do(plugintest.Request{Method: c.method, Path: c.path, Header: h})
		if res.StatusCode != 200 {
			t.Errorf("%s: %d %q", c.name, res.StatusCode, body)
			continue
		}
		up := plugintest.DecodeEcho(t, body)
		want := map[string]string{"X-Consumer-Id": f.alice, "X-Consumer-Username": "alice", "X-Consumer-Custom-Id": "a-1",
			"X-Credential-Identifier": "alice", "X-Anonymous-Consumer": "", "Authorization": h.Get("Authorization")}
		for k, v := range want {
			if got := strings.Join(up.Headers[k], ","); got != v {
				t.Errorf("%s: upstream %s = %q, want %q", c.name, k, got, v)
			}
		}
	}
}

// TestHeaderForms: Kong's pattern accepts the fields with or without
// spaces between them, text before "hmac", and Proxy-Authorization.
func TestHeaderForms(t *testing.T) {
	f := setup(t, "")
	date := now()
	sig := sign("hmac-sha1", "s3cret", "date: "+date)
	for _, c := range []struct {
		name   string
		header http.Header
	}{
		{"no spaces", http.Header{"Authorization": {`hmac username="alice",algorithm="hmac-sha1",headers="date",signature="` + sig + `"`}}},
		{"Hmac, quote before", http.Header{"Authorization": {`"Hmac  username="alice",   algorithm="hmac-sha1",headers="date", signature="` + sig + `"`}}},
		{"proxy-authorization", http.Header{"Proxy-Authorization": {authorization("alice", "hmac-sha1", "date", sig)}}},
		{"proxy-authorization, authorization not hmac", http.Header{"Proxy-Authorization": {authorization("alice", "hmac-sha1", "date", sig)},
			"Authorization": {"hello"}}},
		{"proxy-authorization not hmac, authorization right", http.Header{"Proxy-Authorization": {"hello"},
			"Authorization": {authorization("alice", "hmac-sha1", "date", sig)}}},
		{"signature without padding", http.Header{"Authorization": {authorization("alice", "hmac-sha1", "date", strings.TrimRight(sig, "="))}}},
	} {
		c.header.Set("Date", date)
		if res, body := f.Do(plugintest.Request{Path: "/", Header: c.header}); res.StatusCode != 200 {
			t.Errorf("%s: %d %q", c.name, res.StatusCode, body)
		}
	}
}

// TestHideCredentials: Proxy-Authorization is removed when the signature
// came in it, else Authorization.
func TestHideCredentials(t *testing.T) {
	f := setup(t, `{"hide_credentials":true}`)
	date := now()
	good := authorization("alice", "hmac-sha1", "date", sign("hmac-sha1", "s3cret", "date: "+date))
	for _, c := range []struct {
		name                 string
		header               http.Header
		authorization, proxy string // what reaches the upstream
	}{
		{"authorization", http.Header{"Authorization": {good}}, "", ""},
		{"proxy-authorization", http.Header{"Proxy-Authorization": {good}, "Authorization": {"Bearer t"}}, "Bearer t", ""},
		{"proxy-authorization not hmac", http.Header{"Proxy-Authorization": {"Bearer t"}, "Authorization": {good}}, "", "Bearer t"},
	} {
		c.header.Set("Date", date)
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

func TestEnforceHeaders(t *testing.T) {
	f := setup(t, `{"enforce_headers":["date","request-line"]}`)
	date := now()
	for _, c := range []struct {
		headers, signing string
		status           int
	}{
		{"date request-line", "date: " + date + "\nGET / HTTP/1.1", 200},
		{"request-line x date", "GET / HTTP/1.1\nx:\ndate: " + date, 200},
		{"date", "date: " + date, 401},
		{"Date request-line", "Date: " + date + "\nGET / HTTP/1.1", 401}, // names compare exactly
	} {
		res, body := f.Do(plugintest.Request{Path: "/", Header: http.Header{"Date": {date}, "Accept": {"application/json"},
			"Authorization": {authorization("alice", "hmac-sha1", c.headers, sign("hmac-sha1", "s3cret", c.signing))}}})
		if res.StatusCode != c.status || c.status == 401 && message(t, body) != msgNotValid {
			t.Errorf("%q: %d %q, want %d", c.headers, res.StatusCode, body, c.status)
		}
	}
}

func TestValidateRequestBody(t *testing.T) {
	f := setup(t, `{"validate_request_body":true}`)
	date := now()
	digest := func(body string) string {
		sum := sha256.Sum256([]byte(body))
		return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
	}
	const body = `{"a":"b"}`
	for _, c := range []struct {
		name, method, body, digest string
		signed                     bool // the digest is among the signed headers
		status                     int
	}{
		{"digest signed", "POST", body, digest(body), true, 200},
		{"digest not signed", "POST", body, digest(body), false, 200},
		{"no body, no digest", "GET", "", "", false, 200},
		{"no body, digest of nothing", "GET", "", digest(""), true, 200},
		{"body without digest", "POST", body, "", false, 401},
		{"body tampered", "POST", `{"a":"c"}`, digest(body), true, 401},
		{"digest tampered", "POST", body, digest(body + " "), false, 401},
		{"digest in hex", "POST", body, "SHA-256=" + strings.Repeat("0", 64), false, 401},
	} {
		h := http.Header{"Date": {date}, "Accept": {"application/json"}}
		names, signing := "date", "date: "+date
		if c.digest != "" {
			h.Set("Digest", c.digest)
			if c.signed {
				names, signing = names+" digest", signing+"\ndigest: "+c.digest
			}
		}
		h.Set("Authorization", authorization("alice", "hmac-sha1", names, sign("hmac-sha1", "s3cret", signing)))
		res, resBody := f.Do(plugintest.Request{Method: c.method, Path: "/", Body: c.body, Header: h})
		if res.StatusCode != c.status || c.status == 401 && message(t, resBody) != msgNoMatch {
			t.Errorf("%s: %d %q, want %d", c.name, res.StatusCode, resBody, c.status)
			continue
		}
		if c.status == 200 && plugintest.DecodeEcho(t, resBody).Body != c.body {
			t.Errorf("%s: upstream got body %q", c.name, plugintest.DecodeEcho(t, resBody).Body)
		}
	}
}

func TestAnonymous(t *testing.T) {
	f := setup(t, `{"anonymous":"guest"}`)
	anon := f.Insert("consumers", `{"username":"guest"}`)
	date := now()
	res, body := f.Do(plugintest.Request{Path: "/", Header: http.Header{"Date": {date},
		"Authorization":        {authorization("alice", "hmac-sha1", "date", sign("hmac-sha1", "wrong", "date: "+date))},
		"X-Consumer-Custom-Id": {"spoof"}, "X-Credential-Identifier": {"spoof"}}})
	if res.StatusCode != 200 {
		t.Fatalf("anonymous: %d %q", res.StatusCode, body)
	}
	up := plugintest.DecodeEcho(t, body)
	if up.Headers.Get("X-Consumer-Id") != anon || up.Headers.Get("X-Anonymous-Consumer") != "true" ||
		up.Headers.Get("X-Consumer-Custom-Id") != "" || up.Headers.Get("X-Credential-Identifier") != "" {
		t.Errorf("anonymous headers: %v", up.Headers)
	}
	res, body = f.Do(plugintest.Request{Path: "/", Header: http.Header{"Date": {date},
		"Authorization": {authorization("alice", "hmac-sha1", "date", sign("hmac-sha1", "s3cret", "date: "+date))}}})
	if res.StatusCode != 200 || plugintest.DecodeEcho(t, body).Headers.Get("X-Consumer-Id") != f.alice {
		t.Errorf("credentials with anonymous: %d %q", res.StatusCode, body)
	}

	g := setup(t, `{"anonymous":"nobody"}`)
	res, body = g.Do(plugintest.Request{Path: "/", Header: http.Header{"Accept": {"application/json"}}})
	if res.StatusCode != 500 || !strings.Contains(body, "An unexpected error occurred") {
		t.Errorf("missing anonymous: %d %q", res.StatusCode, body)
	}
}

func TestRealmAndClockSkew(t *testing.T) {
	f := setup(t, `{"realm":"test-realm","clock_skew":1000}`)
	old := time.Now().Add(-900 * time.Second).UTC().Format(http.TimeFormat)
	res, body := f.Do(plugintest.Request{Path: "/", Header: http.Header{"Date": {old},
		"Authorization": {authorization("alice", "hmac-sha1", "date", sign("hmac-sha1", "s3cret", "date: "+old))}}})
	if res.StatusCode != 200 {
		t.Errorf("within clock_skew: %d %q", res.StatusCode, body)
	}
	if res, body = f.Get("/"); res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") != `hmac realm="test-realm"` {
		t.Errorf("realm: %d %v %q", res.StatusCode, res.Header, body)
	}
}

func TestSchema(t *testing.T) {
	e := plugintest.New(t, loaded)
	for config, want := range map[string]string{
		`{"clock_skew":0}`:                "value must be greater than 0",
		`{"algorithms":["hmac-md5"]}`:     "expected one of: hmac-sha1, hmac-sha256, hmac-sha384, hmac-sha512",
		`{"enforce_headers":[1]}`:         "expected a string",
		`{"validate_request_body":"yes"}`: "expected a boolean",
		`{"hide_credentials":null}`:       "required field missing",
	} {
		err := e.TryInsert("plugins", `{"name":"hmac-auth","config":`+config+`}`)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", config, err, want)
		}
	}
	c := e.Insert("consumers", `{"username":"c"}`)
	if err := e.TryInsert("plugins", `{"name":"hmac-auth","consumer":{"id":"`+c+`"}}`); err == nil {
		t.Error("hmac-auth on a consumer accepted")
	}
}
