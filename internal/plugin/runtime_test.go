package plugin_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/schema"
)

// The trace plugins record, in kong.ctx.shared, each phase they run; their
// header_filter sends the record in X-Trace and their log phase reports it.
// They are registered under several names and priorities.
type traceConfig struct {
	Tag   string `json:"tag"`
	Exit  int    `json:"exit"`
	Panic string `json:"panic"`
	Auth  bool   `json:"auth"`
}

type tracer struct{ c traceConfig }

type logged struct {
	tag   string
	entry *plugin.LogEntry
}

var logs = make(chan logged, 100)

func (t *tracer) note(kong *plugin.PDK, phase string) {
	sh := kong.Shared()
	tr, _ := sh["trace"].([]string)
	sh["trace"] = append(tr, phase+":"+t.c.Tag)
	if t.c.Panic == phase {
		panic("boom")
	}
}

func (t *tracer) Rewrite(kong *plugin.PDK) error { t.note(kong, "rewrite"); return nil }

func (t *tracer) Access(kong *plugin.PDK) error {
	t.note(kong, "access")
	if t.c.Auth {
		if id := kong.Request.Header("X-Consumer"); id != "" {
			kong.Client.Authenticate(&entities.Consumer{ID: id}, &plugin.Credential{ID: "cred"})
		}
	}
	if t.c.Exit != 0 {
		return kong.Response.Error(t.c.Exit, "stopped by "+t.c.Tag)
	}
	return nil
}

func (t *tracer) HeaderFilter(kong *plugin.PDK) error {
	t.note(kong, "hf")
	tr, _ := kong.Shared()["trace"].([]string)
	kong.Response.Header().Set("X-Trace", strings.Join(tr, ","))
	return nil
}

func (t *tracer) Log(e *plugin.LogEntry, _ *slog.Logger) {
	if t.c.Panic == "log" {
		panic("boom in log")
	}
	logs <- logged{t.c.Tag, e}
}

var traceSchema = &schema.Subschema{Fields: []schema.Field{
	schema.Protocols,
	schema.RecordOf("config",
		schema.Str("tag").Default("?"),
		schema.Int("exit").Default(0),
		schema.Str("panic").Default("none"),
		schema.Bool("auth").Default(false),
	),
}}

func init() {
	for name, prio := range map[string]int{"trace-a": 1000, "trace-b": 900, "trace-c": 900, "trace-auth": 2000} {
		plugin.Register(plugin.Definition{Name: name, Priority: prio, Version: "1.0.0", Schema: traceSchema,
			New: plugin.Constructor(func(c traceConfig) (plugin.Handler, error) { return &tracer{c}, nil })})
	}
	plugin.Register(plugin.Definition{Name: "trace-broken", Priority: 1, Schema: traceSchema,
		New: plugin.Constructor(func(c traceConfig) (plugin.Handler, error) { panic("cannot build") })})
}

var tracePlugins = []string{"trace-a", "trace-b", "trace-c", "trace-auth", "trace-broken"}

// takeLogs waits for n log phases and returns the tags that logged.
func takeLogs(t *testing.T, n int) []string {
	t.Helper()
	var tags []string
	for range n {
		select {
		case l := <-logs:
			tags = append(tags, l.tag)
		case <-time.After(5 * time.Second):
			t.Fatalf("only %d log phases ran, want %d: %v", len(tags), n, tags)
		}
	}
	select {
	case l := <-logs:
		t.Fatalf("unexpected log phase of %s", l.tag)
	case <-time.After(20 * time.Millisecond):
	}
	return tags
}

func TestOrderByPriorityThenNameDescending(t *testing.T) {
	e := plugintest.New(t, tracePlugins)
	e.Route(e.Service(), "/")
	e.Plugin("trace-b", "", `{"tag":"b"}`)
	e.Plugin("trace-a", "", `{"tag":"a"}`)
	e.Plugin("trace-c", "", `{"tag":"c"}`)
	res, _ := e.Get("/")
	want := "rewrite:a,rewrite:c,rewrite:b,access:a,access:c,access:b,hf:a,hf:c,hf:b"
	if got := res.Header.Get("X-Trace"); got != want {
		t.Errorf("X-Trace = %q, want %q", got, want)
	}
	if tags := takeLogs(t, 3); strings.Join(tags, ",") != "a,c,b" {
		t.Errorf("log order %v", tags)
	}
}

func TestScopePrecedence(t *testing.T) {
	e := plugintest.New(t, tracePlugins)
	svc, other := e.Service(), e.Service()
	r1, r2, r3 := e.Route(svc, "/r1"), e.Route(svc, "/r2"), e.Route(other, "/r3")
	e.Route(other, "/r4")
	e.Plugin("trace-auth", "", `{"tag":"auth","auth":true}`)
	e.Plugin("trace-a", "", `{"tag":"global"}`)
	e.Plugin("trace-a", plugintest.On("service", svc), `{"tag":"service"}`)
	e.Plugin("trace-a", plugintest.On("route", r1), `{"tag":"route"}`)
	e.Plugin("trace-a", plugintest.On("route", r1)+","+plugintest.On("service", svc), `{"tag":"route+service"}`)
	cons := e.Insert("consumers", `{"username":"alice"}`)
	e.Plugin("trace-a", plugintest.On("consumer", cons), `{"tag":"consumer"}`)
	e.Plugin("trace-a", plugintest.On("route", r2)+","+plugintest.On("consumer", cons), `{"tag":"route+consumer"}`)
	_ = r3
	tests := []struct {
		path, consumer, want string
	}{
		{"/r1", "", "route+service"},
		{"/r1", cons, "route+service"},
		{"/r2", "", "service"},
		{"/r2", cons, "route+consumer"},
		{"/r3", "", "global"},
		{"/r4", cons, "consumer"},
	}
	for _, tt := range tests {
		h := map[string][]string{}
		if tt.consumer != "" {
			h["X-Consumer"] = []string{tt.consumer}
		}
		res, _ := e.Do(plugintest.Request{Path: tt.path, Header: h})
		if got := res.Header.Get("X-Trace"); !strings.Contains(got, "access:"+tt.want+",") {
			t.Errorf("%s consumer %q: X-Trace %q, want access:%s", tt.path, tt.consumer, got, tt.want)
		}
		takeLogs(t, 2)
	}
}

func TestRewriteOnlyGlobalAndDisabledSkipped(t *testing.T) {
	e := plugintest.New(t, tracePlugins)
	r := e.Route(e.Service(), "/")
	e.Plugin("trace-a", plugintest.On("route", r), `{"tag":"a"}`)
	e.Plugin("trace-b", "", `{"tag":"b"}`)
	e.Insert("plugins", `{"name":"trace-c","enabled":false}`)
	e.Insert("plugins", `{"name":"trace-auth","protocols":["tcp"]}`)
	e.Plugin("trace-broken", "", "") // logged and left out
	res, _ := e.Get("/")
	if got := res.Header.Get("X-Trace"); got != "rewrite:b,access:a,access:b,hf:a,hf:b" {
		t.Errorf("X-Trace = %q", got)
	}
	takeLogs(t, 2)
	if !strings.Contains(e.Logs.String(), "plugin=trace-broken") {
		t.Errorf("broken instance not logged: %s", e.Logs.String())
	}
}

func TestExitInAccessStillRunsCollectedFiltersAndLog(t *testing.T) {
	e := plugintest.New(t, tracePlugins)
	e.Route(e.Service(), "/")
	e.Plugin("trace-a", "", `{"tag":"a"}`)
	e.Plugin("trace-c", "", `{"tag":"c","exit":403}`)
	e.Plugin("trace-b", "", `{"tag":"b"}`)
	res, body := e.Get("/")
	if res.StatusCode != 403 || !strings.Contains(body, `"message":"stopped by c"`) {
		t.Errorf("got %d %q", res.StatusCode, body)
	}
	if got := res.Header.Get("X-Trace"); got != "rewrite:a,rewrite:c,rewrite:b,access:a,access:c,hf:a,hf:c,hf:b" {
		t.Errorf("X-Trace = %q: access stops at the exit, header_filter runs for all", got)
	}
	if e.Upstream.Count.Load() != 0 {
		t.Error("the upstream was contacted")
	}
	if tags := takeLogs(t, 3); strings.Join(tags, ",") != "a,c,b" {
		t.Errorf("log phases %v", tags)
	}
}

func TestPanicGives500ForThatRequestOnly(t *testing.T) {
	// On /p: trace-a (route) panics in access, or trace-b (global) in
	// rewrite; the plugins collected by then, or the global ones, log.
	tests := []struct {
		phase string
		logs  int
	}{{"access", 3}, {"rewrite", 2}}
	for _, tt := range tests {
		t.Run(tt.phase, func(t *testing.T) {
			e := plugintest.New(t, tracePlugins)
			r := e.Route(e.Service(), "/p")
			e.Route(e.Service(), "/ok")
			e.Plugin("trace-a", plugintest.On("route", r), `{"tag":"a","panic":"`+tt.phase+`"}`)
			e.Plugin("trace-b", "", `{"tag":"b","panic":"`+tt.phase+`"}`)
			e.Plugin("trace-c", "", `{"tag":"c"}`)
			res, body := e.Get("/p")
			if res.StatusCode != 500 || !strings.Contains(body, "An unexpected error occurred") {
				t.Fatalf("got %d %q", res.StatusCode, body)
			}
			takeLogs(t, tt.logs)
			if !strings.Contains(e.Logs.String(), "plugin=trace-") || !strings.Contains(e.Logs.String(), "boom") {
				t.Errorf("panic not logged with the plugin name: %s", e.Logs.String())
			}
			if tt.phase == "access" {
				if res, _ := e.Get("/ok"); res.StatusCode != 500 {
					t.Errorf("global panicking plugin: %d", res.StatusCode)
				}
				takeLogs(t, 2)
			}
		})
	}
}

func TestPanicInLogDoesNotStopTheQueue(t *testing.T) {
	e := plugintest.New(t, tracePlugins)
	e.Route(e.Service(), "/")
	e.Plugin("trace-a", "", `{"tag":"a","panic":"log"}`)
	e.Plugin("trace-b", "", `{"tag":"b"}`)
	for range 2 {
		if res, _ := e.Get("/"); res.StatusCode != 200 {
			t.Fatalf("status %d", res.StatusCode)
		}
		takeLogs(t, 1)
	}
}

func TestNoRouteRunsGlobalPlugins(t *testing.T) {
	e := plugintest.New(t, tracePlugins)
	e.Plugin("trace-a", "", `{"tag":"a"}`)
	res, _ := e.Get("/nothing")
	if res.StatusCode != 404 || res.Header.Get("X-Trace") != "rewrite:a,hf:a" {
		t.Errorf("got %d X-Trace %q", res.StatusCode, res.Header.Get("X-Trace"))
	}
	takeLogs(t, 1)
}

func TestLogEntry(t *testing.T) {
	e := plugintest.New(t, tracePlugins)
	r := e.Route(e.Service(), "/")
	e.Plugin("trace-auth", "", `{"tag":"auth","auth":true}`)
	res, _ := e.Do(plugintest.Request{Method: "POST", Path: "/?q=1", Header: map[string][]string{"X-Consumer": {"c1"}}})
	var l logged
	select {
	case l = <-logs:
	case <-time.After(5 * time.Second):
		t.Fatal("no log phase")
	}
	en := l.entry
	tr, _ := en.Shared["trace"].([]string)
	if en.Response.Status != 200 || en.Response.Source != "service" || en.Route == nil || en.Route.ID != r ||
		en.Consumer == nil || en.Consumer.ID != "c1" || en.Credential.ID != "cred" || en.Request.Method != "POST" ||
		en.Request.RawQuery != "q=1" || en.Request.Headers["X-Consumer"][0] != "c1" || len(tr) != 3 ||
		en.RequestID != res.Header.Get("X-Kong-Request-Id") || len(en.Tries) != 1 || en.ClientIP != "127.0.0.1" {
		t.Errorf("log entry %+v", en)
	}
}
