package requesttransformer_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/requesttransformer"
)

// sharedWriter sets kong.ctx.shared.my_version before request-transformer
// runs, as the pre-function of Kong's tests does.
const sharedWriter = "rt-test-shared-writer"

func init() {
	plugin.Register(plugin.Definition{
		Name: sharedWriter, Priority: 1000, Schema: plugin.ConfigSchema(plugin.Protocols, nil),
		New: func(map[string]any) (plugin.Handler, error) { return sharedHandler{}, nil },
	})
}

type sharedHandler struct{}

func (sharedHandler) Access(kong *plugin.PDK) error {
	kong.Shared()["my_version"] = "1.2.3"
	return nil
}

var loaded = []string{"request-transformer", sharedWriter}

// setup starts a gateway with request-transformer configured by config on
// a route of paths (default "/").
func setup(t *testing.T, config string, paths ...string) *plugintest.Env {
	t.Helper()
	e := plugintest.New(t, loaded)
	if len(paths) == 0 {
		paths = []string{"/"}
	}
	route := e.Route(e.Service(), paths...)
	e.Plugin("request-transformer", plugintest.On("route", route), config)
	return e
}

// upstream sends r and returns what reached the echo upstream, failing
// unless the response is a 200.
func upstream(t *testing.T, e *plugintest.Env, r plugintest.Request) plugintest.Echoed {
	t.Helper()
	res, body := e.Do(r)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s\n%s", r.Method, r.Path, res.StatusCode, body, e.Logs.String())
	}
	return plugintest.DecodeEcho(t, body)
}

// header builds request headers from name, value pairs.
func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// values returns a header's values joined by "|", "<none>" when absent.
func values(h http.Header, name string) string {
	vs := h.Values(name)
	if len(vs) == 0 {
		return "<none>"
	}
	return strings.Join(vs, "|")
}

// fails sends r and expects Kong's 500 without reaching the upstream.
func fails(t *testing.T, e *plugintest.Env, r plugintest.Request) {
	t.Helper()
	before := e.Upstream.Count.Load()
	res, body := e.Do(r)
	if res.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "An unexpected error occurred") {
		t.Errorf("%s: %d %s, want Kong's 500", r.Path, res.StatusCode, body)
	}
	if e.Upstream.Count.Load() != before {
		t.Errorf("%s: a failed request reached the upstream", r.Path)
	}
}
