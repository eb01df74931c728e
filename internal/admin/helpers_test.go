package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/silverback-gw/silverback/internal/admin"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/memory"
)

const testVersion = "3.9.1"

type txn = store.Txn

var registerOnce sync.Once

// registerTestPlugins registers the plugins the tests configure.
func registerTestPlugins() {
	registerOnce.Do(func() {
		plugin.Register(plugin.Definition{
			Name: "test-plugin", Priority: 1000, Version: "1.2.3",
			Schema: &schema.Subschema{Fields: []schema.Field{
				// Kong's plugins declare their protocols; decK reads the default.
				schema.Protocols,
				schema.RecordOf("config",
					schema.Int("minute").Between(0, 1000),
					schema.Num("ratio"),
					schema.Str("policy").Default("local").OneOf("local", "cluster"),
					schema.Bool("flag").Default(false),
					schema.ArrayOf("list", schema.Str("")),
					schema.MapOf("headers", schema.Str(""), schema.Int("")),
					schema.RecordOf("nested", schema.Int("count").Default(1)),
				),
			}},
		})
		plugin.Register(plugin.Definition{
			Name: "other-plugin", Priority: 10,
			Schema: &schema.Subschema{Fields: []schema.Field{
				schema.RecordOf("config", schema.Str("message")),
			}},
		})
	})
}

// env is an Admin API on a real listener over a memory store.
type env struct {
	t       *testing.T
	srv     *httptest.Server
	db      *store.DB
	handler *admin.Handler
	catalog *entities.Catalog
	plugins *plugin.Set
}

// newEnv starts an Admin API; adjust may change the options.
func newEnv(t *testing.T, adjust ...func(*admin.Options)) *env {
	t.Helper()
	registerTestPlugins()
	plugins, err := plugin.Load([]string{"test-plugin", "other-plugin"})
	if err != nil {
		t.Fatal(err)
	}
	cat := entities.NewCatalog(plugins)
	db := store.New(memory.New(cat), cat)
	opts := admin.Options{
		DB:      func() *store.DB { return db },
		Plugins: plugins,
		Node: admin.NodeInfo{
			Version: testVersion, NodeID: "6d5a3bb4-6b2a-4d5e-9d3c-0d0c0e0f1a2b", Hostname: "test-host",
			Database:      "sqlite",
			Configuration: map[string]any{"log_level": "notice", "admin_listen": []any{"127.0.0.1:8001"}},
		},
		Headers: admin.Headers{Server: true, AdminLatency: true},
	}
	for _, a := range adjust {
		a(&opts)
	}
	h := admin.New(opts)
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = h.ConnState
	srv.Start()
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, db: db, handler: h, catalog: cat, plugins: plugins}
}

// resp is a decoded response.
type resp struct {
	status int
	header http.Header
	raw    []byte
	body   any
}

func (r *resp) obj() map[string]any {
	m, _ := r.body.(map[string]any)
	return m
}

// req sends a request. body is a string sent as is, or any other value
// sent as JSON; hdr are name, value pairs (a Content-Type given there
// replaces the default).
func (e *env) req(method, path string, body any, hdr ...string) *resp {
	e.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(data), "application/json"
	}
	r, err := http.NewRequestWithContext(context.Background(), method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Content-Type" && i > 0 && hdr[i-2] == "Content-Type" {
			r.Header.Add(hdr[i], hdr[i+1])
			continue
		}
		r.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	out := &resp{status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			e.t.Fatalf("%s %s: response is not JSON: %q", method, path, raw)
		}
	}
	return out
}

// form sends an application/x-www-form-urlencoded body.
func (e *env) form(method, path, body string) *resp {
	e.t.Helper()
	return e.req(method, path, body, "Content-Type", "application/x-www-form-urlencoded")
}

// must sends a request and fails unless the status is want.
func (e *env) must(want int, method, path string, body any, hdr ...string) map[string]any {
	e.t.Helper()
	r := e.req(method, path, body, hdr...)
	if r.status != want {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.status, want, r.raw)
	}
	return r.obj()
}

// skip is a body check's wildcard: only the status is compared.
const skip = "<any body>"

// check compares a response with the expected status and body; bodies are
// compared after JSON decoding, with ignore listing top-level keys whose
// values are not compared (but must be present).
func check(t *testing.T, r *resp, status int, body any, ignore ...string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status = %d, want %d (body %s)", r.status, status, r.raw)
	}
	if body == skip {
		return
	}
	if body == nil {
		if len(r.raw) != 0 {
			t.Errorf("body = %s, want none", r.raw)
		}
		return
	}
	want := normalize(body)
	got := r.body
	if m, ok := got.(map[string]any); ok && len(ignore) > 0 {
		m = copyTop(m)
		for _, k := range ignore {
			if _, present := m[k]; !present {
				t.Errorf("body has no %q: %s", k, r.raw)
			}
			delete(m, k)
		}
		got = m
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
}

func copyTop(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// normalize round-trips a Go value through JSON for comparison.
func normalize(v any) any {
	if s, ok := v.(string); ok {
		var out any
		if err := json.Unmarshal([]byte(s), &out); err == nil {
			return out
		}
	}
	data, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(data, &out)
	return out
}

// strip removes keys from an entity (generated ids and timestamps).
func strip(m map[string]any, keys ...string) map[string]any {
	out := copyTop(m)
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func isUUID(v any) bool {
	s, _ := v.(string)
	return uuidRe.MatchString(s)
}
