package botdetection_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/botdetection"
	"github.com/silverback-gw/silverback/internal/store"
)

var loaded = []string{"bot-detection"}

const (
	helloWorld = "HelloWorld"              // no known bot
	facebook   = "facebookexternalhit/1.1" // a built-in bot
	browser    = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/50.0.2661.102 Safari/537.36"
)

// setup starts a gateway with bot-detection configured by config on the
// route of each path.
func setup(t *testing.T, configs map[string]string) *plugintest.Env {
	e := plugintest.New(t, loaded)
	svc := e.Service()
	for path, config := range configs {
		e.Plugin("bot-detection", plugintest.On("route", e.Route(svc, path)), config)
	}
	return e
}

// agent sends a GET with the given User-Agent headers; none sends no
// User-Agent at all.
func agent(e *plugintest.Env, path string, agents ...string) (*http.Response, string) {
	h := http.Header{"Accept": {"application/json"}}
	if len(agents) == 0 {
		h.Set("User-Agent", "") // the client then sends none
	} else {
		h["User-Agent"] = agents
	}
	return e.Do(plugintest.Request{Path: path, Header: h})
}

func TestBotDetection(t *testing.T) {
	e := setup(t, map[string]string{
		"/default": "",
		"/deny":    `{"deny":["HelloWorld"]}`,
		"/allow":   `{"allow":["facebookexternalhit"]}`,
		"/both":    `{"allow":["^Hello"],"deny":["World$"]}`,
	})
	cases := []struct {
		path   string
		agents []string
		status int
	}{
		{"/default", nil, 200},
		{"/default", []string{browser}, 200},
		{"/default", []string{helloWorld}, 200},
		{"/default", []string{facebook}, 403},
		{"/default", []string{"Go-http-client/1.1"}, 403},
		{"/default", []string{"Googlebot/2.1 (+http://www.google.com/bot.html)"}, 403},
		{"/default", []string{"curl/8.0"}, 200},
		{"/deny", []string{helloWorld}, 403},
		{"/deny", []string{browser}, 200},
		{"/deny", []string{facebook}, 403},
		{"/allow", []string{facebook}, 200},
		{"/allow", []string{"Twitterbot/1.0"}, 403},
		// allow is checked before deny
		{"/both", []string{helloWorld}, 200},
		{"/both", []string{"Brave new World"}, 403},
	}
	for _, c := range cases {
		before := e.Upstream.Count.Load()
		res, body := agent(e, c.path, c.agents...)
		if res.StatusCode != c.status {
			t.Errorf("%s %q: %d %q, want %d", c.path, c.agents, res.StatusCode, body, c.status)
			continue
		}
		reached := e.Upstream.Count.Load() > before
		if c.status == 403 {
			if !strings.Contains(body, `"message":"Forbidden"`) || reached {
				t.Errorf("%s %q: body %q, reached upstream %v", c.path, c.agents, body, reached)
			}
		} else if !reached {
			t.Errorf("%s %q: did not reach the upstream", c.path, c.agents)
		}
	}
}

// Several User-Agent headers are refused before any pattern is tried
// (Go's client sends one only: the request is written by hand).
func TestSeveralUserAgents(t *testing.T) {
	e := setup(t, map[string]string{"/": `{"allow":[".*"]}`})
	conn, err := net.Dial("tcp", e.Server.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"+
		"User-Agent: "+browser+"\r\nUser-Agent: "+browser+"\r\nConnection: close\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 400 || !strings.Contains(string(body), `"message":"Only one User-Agent header allowed"`) {
		t.Errorf("%d %q", res.StatusCode, body)
	}
	if e.Upstream.Count.Load() != 0 {
		t.Error("the request reached the upstream")
	}
}

// The built-in patterns count bytes, as PCRE does: "Microsoft .{0,30} Bot"
// spans 30 bytes, which 20 two-byte characters exceed.
func TestBytesNotCharacters(t *testing.T) {
	e := setup(t, map[string]string{"/": ""})
	for _, c := range []struct {
		n      int
		status int
	}{{10, 403}, {20, 200}} {
		ua := "Microsoft " + strings.Repeat("é", c.n) + " Bot"
		if res, body := agent(e, "/", ua); res.StatusCode != c.status {
			t.Errorf("%d two-byte characters: %d %q, want %d", c.n, res.StatusCode, body, c.status)
		}
	}
}

// A changed configuration takes effect at once: the verdicts cached by the
// old instance are not reused.
func TestConfigChange(t *testing.T) {
	e := plugintest.New(t, loaded)
	route := e.Route(e.Service(), "/")
	id := e.Plugin("bot-detection", plugintest.On("route", route), `{"deny":["HelloWorld"]}`)
	if res, _ := agent(e, "/", helloWorld); res.StatusCode != 403 {
		t.Fatalf("denied: %d", res.StatusCode)
	}
	ctx := context.Background()
	err := e.DB.Update(ctx, func(tx *store.Txn) error {
		_, err := tx.Update(ctx, "plugins", id, map[string]any{"config": map[string]any{"deny": []any{}, "allow": []any{"facebook"}}})
		return err
	})
	if err == nil {
		err = e.Holder.Rebuild(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := agent(e, "/", helloWorld); res.StatusCode != 200 {
		t.Errorf("no longer denied: %d", res.StatusCode)
	}
	if res, _ := agent(e, "/", facebook); res.StatusCode != 200 {
		t.Errorf("now allowed: %d", res.StatusCode)
	}
}

func TestSchema(t *testing.T) {
	e := plugintest.New(t, loaded)
	route := e.Route(e.Service(), "/")
	const bad = `(https?:\/\/.*`
	for _, field := range []string{"allow", "deny"} {
		err := e.TryInsert("plugins", `{"name":"bot-detection","route":{"id":"`+route+`"},"config":{"`+field+`":["ok",`+jsonString(bad)+`]}}`)
		if err == nil || !strings.Contains(err.Error(), "not a valid regex: "+bad) {
			t.Errorf("%s: bad regex accepted or wrong message: %v", field, err)
		}
	}
	// PCRE-only syntax is refused: RE2 has no look-around.
	if err := e.TryInsert("plugins", `{"name":"bot-detection","config":{"deny":["(?=x)"]}}`); err == nil {
		t.Error("look-ahead accepted")
	}
	c := e.Insert("consumers", `{"username":"c"}`)
	if err := e.TryInsert("plugins", `{"name":"bot-detection","consumer":{"id":"`+c+`"}}`); err == nil {
		t.Error("bot-detection on a consumer accepted")
	}
	// defaults
	var config map[string]any
	ctx := context.Background()
	id := e.Plugin("bot-detection", plugintest.On("route", route), "")
	_ = e.DB.View(ctx, func(tx *store.Txn) error {
		row, err := tx.Get(ctx, "plugins", id)
		if err == nil {
			config, _ = row["config"].(map[string]any)
		}
		return err
	})
	for _, k := range []string{"allow", "deny"} {
		if v, ok := config[k].([]any); !ok || len(v) != 0 {
			t.Errorf("default %s = %#v, want []", k, config[k])
		}
	}
}

func jsonString(s string) string {
	return `"` + strings.ReplaceAll(s, `\`, `\\`) + `"`
}
