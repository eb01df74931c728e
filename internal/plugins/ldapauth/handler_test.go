package ldapauth_test

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/keyauth"
	_ "github.com/silverback-gw/silverback/internal/plugins/ldapauth"
	"github.com/silverback-gw/silverback/internal/testutil/ldaptest"
)

var loaded = []string{"ldap-auth", "key-auth"}

// users are the directory's users.
var users = map[string]string{"einstein": "password", "newton": "apple:tree"}

const einstein = "uid=einstein," + ldaptest.PeopleDN

type fixture struct {
	*plugintest.Env
	ldap  *ldaptest.Server
	route string
}

// setup starts slapd and a gateway with ldap-auth on a route, configured
// for that slapd (plain LDAP, uid under ou=people) and by extra.
func setup(t *testing.T, extra map[string]any) fixture {
	t.Helper()
	s := ldaptest.Start(t, users)
	e := plugintest.New(t, loaded)
	f := fixture{Env: e, ldap: s}
	f.route = e.Route(e.Service(), "/")
	e.Plugin("ldap-auth", plugintest.On("route", f.route), ldapConfig(s.Port, extra))
	return f
}

// ldapConfig is the plugin's config for the server on port, changed by
// extra.
func ldapConfig(port int, extra map[string]any) string {
	c := map[string]any{"ldap_host": ldaptest.Host, "ldap_port": port, "base_dn": ldaptest.PeopleDN, "attribute": "uid"}
	maps.Copy(c, extra)
	b, _ := json.Marshal(c)
	return string(b)
}

// basic encodes credentials as the plugin reads them.
func basic(userPassword string) string {
	return base64.StdEncoding.EncodeToString([]byte(userPassword))
}

// message returns the message of Kong's JSON error body.
func message(t *testing.T, body string) string {
	t.Helper()
	var m struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not an error body: %q", body)
	}
	return m.Message
}

func TestLDAPAuth(t *testing.T) {
	f := setup(t, nil)
	cases := []struct {
		name   string
		header http.Header
		user   string // the credential identifier upstream; "" for a 401
	}{
		{"authorization", http.Header{"Authorization": {"ldap " + basic("einstein:password")}}, "einstein"},
		{"password with a colon", http.Header{"Authorization": {"ldap " + basic("newton:apple:tree")}}, "newton"},
		{"proxy-authorization", http.Header{"Proxy-Authorization": {"ldap " + basic("einstein:password")}}, "einstein"},
		{"wrong proxy-authorization, right authorization", http.Header{
			"Proxy-Authorization": {"ldap " + basic("einstein:nope")},
			"Authorization":       {"ldap " + basic("newton:apple:tree")}}, "newton"},
		{"header type in capitals, tab", http.Header{"Authorization": {"LDAP\t" + basic("einstein:password")}}, "einstein"},
		{"unpadded base64", http.Header{"Authorization": {"ldap " + strings.TrimRight(basic("einstein:password"), "=")}}, "einstein"},
		{"wrong password", http.Header{"Authorization": {"ldap " + basic("einstein:wrong")}}, ""},
		{"unknown user", http.Header{"Authorization": {"ldap " + basic("bohr:password")}}, ""},
		{"no header", nil, ""},
		{"not the header type", http.Header{"Authorization": {"abcd"}}, ""},
		{"another header type", http.Header{"Authorization": {"basic " + basic("einstein:password")}}, ""},
		{"header type without space", http.Header{"Authorization": {"ldap" + basic("einstein:password")}}, ""},
		{"no credentials", http.Header{"Authorization": {"ldap "}}, ""},
		{"not base64", http.Header{"Authorization": {"ldap ####"}}, ""},
		{"no colon", http.Header{"Authorization": {"ldap " + basic("einstein")}}, ""},
		{"empty password", http.Header{"Authorization": {"ldap " + basic("einstein:")}}, ""},
		{"wrong proxy-authorization", http.Header{"Proxy-Authorization": {"ldap " + basic("einstein:wrong")}}, ""},
	}
	for _, c := range cases {
		h := http.Header{"Accept": {"application/json"}, "X-Consumer-Id": {"spoof"},
			"X-Consumer-Username": {"spoof"}, "X-Anonymous-Consumer": {"true"}, "X-Credential-Identifier": {"spoof"}}
		maps.Copy(h, c.header)
		before := f.Upstream.Count.Load()
		res, body := f.Do(plugintest.Request{Path: "/", Header: h})
		if c.user == "" {
			if res.StatusCode != 401 || message(t, body) != "Unauthorized" || res.Header.Get("WWW-Authenticate") != "LDAP" {
				t.Errorf("%s: %d %v %q", c.name, res.StatusCode, res.Header, body)
			}
			if f.Upstream.Count.Load() != before {
				t.Errorf("%s: the refused request reached the upstream", c.name)
			}
			continue
		}
		if res.StatusCode != 200 {
			t.Errorf("%s: %d %q", c.name, res.StatusCode, body)
			continue
		}
		up := plugintest.DecodeEcho(t, body).Headers
		want := map[string]string{"X-Credential-Identifier": c.user, "X-Consumer-Id": "", "X-Consumer-Username": "",
			"X-Anonymous-Consumer": "", "Authorization": strings.Join(c.header["Authorization"], ",")}
		for k, v := range want {
			if got := strings.Join(up[k], ","); got != v {
				t.Errorf("%s: upstream %s = %q, want %q", c.name, k, got, v)
			}
		}
	}
	// malformed credentials never reach the server
	if n := f.ldap.Binds("uid=einstein," + ldaptest.PeopleDN); n != 3 {
		t.Errorf("einstein's binds: %d, want 3 (good, wrong and the proxy's wrong password, each once)", n)
	}
}

func TestHeaderTypeAndRealm(t *testing.T) {
	cases := []struct {
		name      string
		config    map[string]any
		scheme    string // accepted
		challenge string
	}{
		{"default", nil, "ldap", "LDAP"},
		{"realm", map[string]any{"realm": "test-ldap"}, "ldap", `LDAP realm="test-ldap"`},
		{"header type", map[string]any{"header_type": "Basic"}, "basic", "Basic"},
		{"header type and realm", map[string]any{"header_type": "Basic", "realm": "test-ldap"}, "BASIC", `Basic realm="test-ldap"`},
		{"header type in capitals", map[string]any{"header_type": "LDAP"}, "ldap", "LDAP"},
	}
	s := ldaptest.Start(t, users)
	for _, c := range cases {
		e := plugintest.New(t, loaded)
		e.Plugin("ldap-auth", plugintest.On("route", e.Route(e.Service(), "/")), ldapConfig(s.Port, c.config))
		res, body := e.Get("/")
		if res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") != c.challenge || message(t, body) != "Unauthorized" {
			t.Errorf("%s: no credentials: %d %v %q", c.name, res.StatusCode, res.Header, body)
		}
		res, body = e.Do(plugintest.Request{Path: "/", Header: http.Header{"Authorization": {c.scheme + " " + basic("einstein:password")}}})
		if res.StatusCode != 200 {
			t.Errorf("%s: %s credentials: %d %q", c.name, c.scheme, res.StatusCode, body)
		}
		res, body = e.Do(plugintest.Request{Path: "/", Header: http.Header{"Authorization": {"other " + basic("einstein:password")}}})
		if res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") != c.challenge {
			t.Errorf("%s: other header type: %d %v %q", c.name, res.StatusCode, res.Header, body)
		}
	}
}

func TestHideCredentials(t *testing.T) {
	f := setup(t, map[string]any{"hide_credentials": true})
	res, body := f.Do(plugintest.Request{Path: "/", Header: http.Header{
		"Proxy-Authorization": {"ldap " + basic("einstein:password")},
		"Authorization":       {"Bearer for-the-upstream"}}})
	if res.StatusCode != 200 {
		t.Fatalf("%d %q", res.StatusCode, body)
	}
	up := plugintest.DecodeEcho(t, body).Headers
	if up.Get("Authorization") != "" || up.Get("Proxy-Authorization") != "" || up.Get("X-Credential-Identifier") != "einstein" {
		t.Errorf("upstream headers: %v", up)
	}
}

func TestAnonymous(t *testing.T) {
	s := ldaptest.Start(t, users)
	e := plugintest.New(t, loaded)
	anon := e.Insert("consumers", `{"username":"no-body","custom_id":"anon-1"}`)
	byID := e.Route(e.Service(), "/id")
	byName := e.Route(e.Service(), "/name")
	missing := e.Route(e.Service(), "/missing")
	e.Plugin("ldap-auth", plugintest.On("route", byID), ldapConfig(s.Port, map[string]any{"anonymous": anon}))
	e.Plugin("ldap-auth", plugintest.On("route", byName), ldapConfig(s.Port, map[string]any{"anonymous": "no-body"}))
	e.Plugin("ldap-auth", plugintest.On("route", missing), ldapConfig(s.Port, map[string]any{"anonymous": "nobody-at-all"}))

	for _, path := range []string{"/id", "/name"} {
		for name, h := range map[string]http.Header{
			"no header":      {"X-Credential-Identifier": {"spoof"}},
			"wrong password": {"Authorization": {"ldap " + basic("einstein:wrong")}},
		} {
			res, body := e.Do(plugintest.Request{Path: path, Header: h})
			if res.StatusCode != 200 {
				t.Errorf("%s %s: %d %q", path, name, res.StatusCode, body)
				continue
			}
			up := plugintest.DecodeEcho(t, body).Headers
			if up.Get("X-Anonymous-Consumer") != "true" || up.Get("X-Consumer-Id") != anon ||
				up.Get("X-Consumer-Username") != "no-body" || up.Get("X-Consumer-Custom-Id") != "anon-1" ||
				up.Get("X-Credential-Identifier") != "" {
				t.Errorf("%s %s: upstream headers %v", path, name, up)
			}
		}
		res, body := e.Do(plugintest.Request{Path: path, Header: http.Header{"Authorization": {"ldap " + basic("einstein:password")}}})
		up := plugintest.DecodeEcho(t, body).Headers
		if res.StatusCode != 200 || up.Get("X-Credential-Identifier") != "einstein" || up.Get("X-Anonymous-Consumer") != "" ||
			up.Get("X-Consumer-Id") != "" {
			t.Errorf("%s good password: %d %v", path, res.StatusCode, up)
		}
	}
	// Kong 3.9 throws (kong.client.authenticate(nil, nil)) for a missing
	// anonymous consumer
	res, body := e.Do(plugintest.Request{Path: "/missing", Header: http.Header{"Accept": {"application/json"}}})
	if res.StatusCode != 500 || message(t, body) != "An unexpected error occurred" {
		t.Errorf("missing anonymous consumer: %d %q", res.StatusCode, body)
	}
}

// TestWithKeyAuth: with anonymous, a credential key-auth (which runs
// first) found makes ldap-auth step aside without binding (logical OR);
// without, both must succeed (logical AND).
func TestWithKeyAuth(t *testing.T) {
	s := ldaptest.Start(t, users)
	e := plugintest.New(t, loaded)
	anon := e.Insert("consumers", `{"username":"Anonymous"}`)
	mickey := e.Insert("consumers", `{"username":"Mickey"}`)
	key := e.Insert("keyauth_credentials", `{"consumer":{"id":"`+mickey+`"},"key":"Mouse"}`)
	or := e.Route(e.Service(), "/or")
	and := e.Route(e.Service(), "/and")
	e.Plugin("ldap-auth", plugintest.On("route", or), ldapConfig(s.Port, map[string]any{"anonymous": anon}))
	e.Plugin("key-auth", plugintest.On("route", or), `{"anonymous":"`+anon+`"}`)
	e.Plugin("ldap-auth", plugintest.On("route", and), ldapConfig(s.Port, nil))
	e.Plugin("key-auth", plugintest.On("route", and), "")

	apikey, ldap := http.Header{"Apikey": {"Mouse"}}, http.Header{"Authorization": {"ldap " + basic("einstein:password")}}
	both := http.Header{"Apikey": {"Mouse"}, "Authorization": ldap["Authorization"]}
	cases := []struct {
		path      string
		header    http.Header
		status    int
		consumer  string // X-Consumer-Id upstream
		ident     string // X-Credential-Identifier upstream
		challenge string
	}{
		{"/or", both, 200, mickey, key, ""},
		{"/or", apikey, 200, mickey, key, ""},
		{"/or", ldap, 200, "", "einstein", ""},
		{"/or", nil, 200, anon, "", ""},
		{"/and", both, 200, "", "einstein", ""},
		{"/and", apikey, 401, "", "", "LDAP"},
		{"/and", ldap, 401, "", "", "Key"},
		{"/and", nil, 401, "", "", "Key"},
	}
	for _, c := range cases {
		binds := s.Binds(einstein)
		res, body := e.Do(plugintest.Request{Path: c.path, Header: c.header})
		if res.StatusCode != c.status {
			t.Errorf("%s %v: %d %q", c.path, c.header, res.StatusCode, body)
			continue
		}
		if c.status != 200 {
			if res.Header.Get("WWW-Authenticate") != c.challenge {
				t.Errorf("%s %v: challenge %q", c.path, c.header, res.Header.Get("WWW-Authenticate"))
			}
			continue
		}
		up := plugintest.DecodeEcho(t, body).Headers
		if up.Get("X-Consumer-Id") != c.consumer || up.Get("X-Credential-Identifier") != c.ident {
			t.Errorf("%s %v: upstream headers %v", c.path, c.header, up)
		}
		if c.path == "/or" && c.header.Get("Apikey") != "" && s.Binds(einstein) != binds {
			t.Errorf("%s %v: ldap-auth bound although key-auth authenticated", c.path, c.header)
		}
	}
}
