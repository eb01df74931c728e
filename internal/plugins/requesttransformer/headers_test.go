package requesttransformer_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

func TestHeaders(t *testing.T) {
	for _, c := range []struct {
		name, config string
		sent         http.Header
		want         map[string]string // upstream header → values joined by "|", "<none>"
	}{
		{"add", `{"add":{"headers":["h1:v1","h2:value:2"]}}`, nil,
			map[string]string{"H1": "v1", "H2": "value:2"}},
		{"add keeps an existing header", `{"add":{"headers":["h1:v1","h2:value:2"]}}`, header("H1", "v3"),
			map[string]string{"H1": "v3", "H2": "value:2"}},
		{"add without value", `{"add":{"headers":["h1:","h2:$(headers.missing)"]}}`, nil,
			map[string]string{"H1": "<none>", "H2": "<none>"}},
		{"remove", `{"remove":{"headers":["x-to-remove"]}}`, header("X-To-Remove", "true", "X-Another-Header", "true"),
			map[string]string{"X-To-Remove": "<none>", "X-Another-Header": "true"}},
		{"remove every value, ignoring case", `{"remove":{"headers":["X-To-Remove"]}}`, header("X-To-Remove", "1", "X-To-Remove", "2"),
			map[string]string{"X-To-Remove": "<none>"}},
		{"rename", `{"rename":{"headers":["x-to-rename:x-is-renamed"]}}`, header("X-To-Rename", "true", "X-Another-Header", "true"),
			map[string]string{"X-To-Rename": "<none>", "X-Is-Renamed": "true", "X-Another-Header": "true"}},
		{"rename of an absent header", `{"rename":{"headers":["x-to-rename:x-is-renamed"]}}`, header("X-A-Header", "true"),
			map[string]string{"X-Is-Renamed": "<none>", "X-A-Header": "true"}},
		{"rename overrides the target", `{"rename":{"headers":["x-to-rename:x-is-renamed"]}}`,
			header("X-To-Rename", "new-result", "X-Is-Renamed", "old-result"),
			map[string]string{"X-To-Rename": "<none>", "X-Is-Renamed": "new-result"}},
		{"rename to the same name", `{"rename":{"headers":["identical:identical","rename:Rename"]}}`,
			header("Identical", "true", "Rename", "true"),
			map[string]string{"Identical": "true", "Rename": "true"}},
		{"rename keeps every value", `{"rename":{"headers":["x-a:x-b"]}}`, header("X-A", "1", "X-A", "2"),
			map[string]string{"X-A": "<none>", "X-B": "1|2"}},
		{"replace", `{"replace":{"headers":["h1:v1"]}}`, header("H1", "V", "H2", "v2"),
			map[string]string{"H1": "v1", "H2": "v2"}},
		{"replace of an absent header", `{"replace":{"headers":["h1:v1"]}}`, header("H2", "v2"),
			map[string]string{"H1": "<none>", "H2": "v2"}},
		{"replace without value keeps the header", `{"replace":{"headers":["h1:"]}}`, header("H1", "v"),
			map[string]string{"H1": "v"}},
		{"append", `{"append":{"headers":["h1:v1","h1:v2","h1:#value_with_hash","h2:v1"]}}`, nil,
			map[string]string{"H1": "v1|v2|#value_with_hash", "H2": "v1"}},
		{"append to an existing header", `{"append":{"headers":["X-aDDed:a2","X-aDDed:a3"]}}`, header("X-Added", "a0"),
			map[string]string{"X-Added": "a0|a2|a3"}},
		{"every operation", `{
			"add":{"headers":["x-added:a1","x-added2:b1","x-added3:c2"]},
			"remove":{"headers":["x-to-remove"]},
			"append":{"headers":["x-added:a2","x-added:a3"]},
			"replace":{"headers":["x-to-replace:false"]}}`,
			header("X-To-Remove", "true", "X-To-Replace", "true", "X-Added3", "c1"),
			map[string]string{"X-To-Remove": "<none>", "X-To-Replace": "false", "X-Added": "a1|a2|a3",
				"X-Added2": "b1", "X-Added3": "c1"}},
		{"remove then add", `{"remove":{"headers":["Authorization"]},"add":{"headers":["Authorization:Basic test"]}}`,
			header("Authorization", "Basic dGVzdDp0ZXN0"),
			map[string]string{"Authorization": "Basic test"}},
		{"remove then add, absent", `{"remove":{"headers":["Authorization"]},"add":{"headers":["Authorization:Basic test"]}}`, nil,
			map[string]string{"Authorization": "Basic test"}},
		{"remove before rename, rename before replace", `{"remove":{"headers":["a"]},"rename":{"headers":["a:b","c:d"]},"replace":{"headers":["d:replaced"]}}`,
			header("A", "1", "C", "2"),
			map[string]string{"A": "<none>", "B": "<none>", "C": "<none>", "D": "replaced"}},
		{"replace before add, add before append", `{"replace":{"headers":["x:r"]},"add":{"headers":["x:a"]},"append":{"headers":["x:p"]}}`, nil,
			map[string]string{"X": "a|p"}},
		{"underscores find dashes", `{"replace":{"headers":["x_foo:new"]},"append":{"headers":["X_Bar:2"]}}`, header("X-Foo", "old", "X-Bar", "1"),
			map[string]string{"X-Foo": "old", "X_foo": "new", "X-Bar": "1", "X_bar": "1|2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := setup(t, c.config)
			up := upstream(t, e, plugintest.Request{Path: "/request", Header: c.sent})
			for name, want := range c.want {
				if got := values(up.Headers, name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

// hostEcho is an upstream answering with the Host it received.
func hostEcho(t *testing.T, e *plugintest.Env) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(r.Host)
	}))
	t.Cleanup(srv.Close)
	return e.Insert("services", `{"url":"`+srv.URL+`"}`)
}

// TestHost: Host can be replaced (even when not sent, as it always is),
// never added; an array (append) fails as in Kong.
func TestHost(t *testing.T) {
	e := plugintest.New(t, loaded)
	svc := hostEcho(t, e)
	for path, config := range map[string]string{
		"/replace": `{"replace":{"headers":["Host:replaced.test"]}}`,
		"/add":     `{"add":{"headers":["host:added.test"]}}`,
		"/rename":  `{"rename":{"headers":["x-host:host"]}}`,
		"/append":  `{"append":{"headers":["host:appended.test"]}}`,
	} {
		route := e.Route(svc, path)
		e.Plugin("request-transformer", plugintest.On("route", route), config)
	}
	hostOf := func(path string, h http.Header) string {
		res, body := e.Do(plugintest.Request{Path: path, Host: "client.test", Header: h})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", path, res.StatusCode, body)
		}
		var host string
		_ = json.Unmarshal([]byte(body), &host)
		return host
	}
	if got := hostOf("/replace", nil); got != "replaced.test" {
		t.Errorf("replaced Host = %q", got)
	}
	if got := hostOf("/add", nil); got == "added.test" || got == "client.test" {
		t.Errorf("added Host = %q, want the service's", got)
	}
	if got := hostOf("/rename", header("X-Host", "renamed.test")); got != "renamed.test" {
		t.Errorf("renamed Host = %q", got)
	}
	res, body := e.Do(plugintest.Request{Path: "/append", Host: "client.test"})
	if res.StatusCode != http.StatusInternalServerError {
		t.Errorf("appended Host: %d %s, want Kong's 500", res.StatusCode, body)
	}
}
