package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/silverback-gw/silverback/internal/admin"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/memory"
)

// panicLog records log lines that report a recovered panic.
type panicLog struct {
	mu    sync.Mutex
	lines []string
}

func (p *panicLog) Enabled(context.Context, slog.Level) bool { return true }
func (p *panicLog) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "panic") {
		p.mu.Lock()
		p.lines = append(p.lines, r.Message)
		r.Attrs(func(a slog.Attr) bool {
			p.lines = append(p.lines, a.String())
			return true
		})
		p.mu.Unlock()
	}
	return nil
}
func (p *panicLog) WithAttrs([]slog.Attr) slog.Handler { return p }
func (p *panicLog) WithGroup(string) slog.Handler      { return p }

func (p *panicLog) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.lines
	p.lines = nil
	return out
}

var fuzzContentTypes = []string{
	"", "application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xx",
	"text/plain", "application/yaml", "application/json; charset=utf-8", "multipart/form-data",
}

// FuzzAdminRequest sends arbitrary requests: the handler must never panic
// and must always answer Kong-shaped JSON (or no body where Kong sends none).
func FuzzAdminRequest(f *testing.F) {
	registerTestPlugins()
	plugins, err := plugin.Load([]string{"test-plugin", "other-plugin"})
	if err != nil {
		f.Fatal(err)
	}
	cat := entities.NewCatalog(plugins)
	db := store.New(memory.New(cat), cat)
	logs := &panicLog{}
	opts := admin.Options{
		DB: func() *store.DB { return db }, Plugins: plugins,
		Node:   admin.NodeInfo{Version: testVersion, NodeID: "6d5a3bb4-6b2a-4d5e-9d3c-0d0c0e0f1a2b", Database: "sqlite"},
		Logger: slog.New(logs), MaxBodySize: 1 << 16,
	}
	h := admin.New(opts)
	// the high bit of the content-type byte selects a DB-less node
	opts.DBLess, opts.Declarative, opts.Node.Database = true, &fakeDeclarative{}, "off"
	dbless := admin.New(opts)
	seeds := []struct {
		method, path string
		ct           byte
		body         string
	}{
		{"GET", "/", 0, ""},
		{"POST", "/services", 1, `{"name":"s","host":"example.com","tags":["a"]}`},
		{"POST", "/services/s/routes", 2, "paths[]=/a&methods=GET&service.name=s&headers.x[]=1"},
		{"PUT", "/services/s/plugins/p", 1, `{"name":"test-plugin","config":{"minute":1,"nested":{"count":2}}}`},
		{"PATCH", "/plugins/p", 2, "config.list[1]=a&config.headers[a]=1&enabled=false"},
		{"POST", "/upstreams/u/targets", 1, `{"target":"10.0.0.1"}`},
		{"PUT", "/upstreams/u", 2, "healthchecks.active.healthy.http_statuses=200&slots=10"},
		{"GET", "/consumers?size=1&offset=WyJhIl0&tags=a,b", 0, ""},
		{"POST", "/certificates", 3, "--xx\r\nContent-Disposition: form-data; name=\"snis\"\r\n\r\na.com\r\n--xx--\r\n"},
		{"OPTIONS", "/routes/x/service", 0, ""},
		{"DELETE", "/tags/a", 0, ""},
		{"POST", "/config", 5, "_format_version: '3.0'"},
		{"GET", "/upstreams/u/health?balancer_health=1", 0, ""},
		{"PUT", "/debug/node/log-level/debug?timeout=0", 0, ""},
		{"POST", "/schemas/plugins/validate", 1, `{"name":"test-plugin"}`},
		{"GET", "/status?unit=k&scale=3", 0, ""},
		{"PATCH", "/certificates/a.com", 2, "snis=b.com"},
		{"POST", "/config?check_hash=1&flatten_errors=on", 0x85, "_format_version: '3.0'"},
		{"PUT", "/services/s", 0x81, `{"host":"x.com"}`},
		{"DELETE", "/services/s/routes/r", 0x80, ""},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.ct, s.body)
	}
	f.Fuzz(func(t *testing.T, method, path string, ctByte byte, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequestWithContext(context.Background(), method, "http://admin"+path, strings.NewReader(body))
		if err != nil || req.URL.Host != "admin" {
			return
		}
		if ct := fuzzContentTypes[int(ctByte)%len(fuzzContentTypes)]; ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		rec := httptest.NewRecorder()
		if ctByte&0x80 != 0 {
			dbless.ServeHTTP(rec, req)
		} else {
			h.ServeHTTP(rec, req)
		}
		if lines := logs.take(); len(lines) > 0 {
			t.Fatalf("%s %q (%s): panic: %v", method, path, req.Header.Get("Content-Type"), lines)
		}
		res := rec.Result()
		raw := rec.Body.Bytes()
		switch {
		case res.StatusCode == 204 || res.StatusCode == 304 || res.StatusCode == 415 || method == http.MethodHead:
			if len(raw) != 0 {
				t.Fatalf("%d with a body: %s", res.StatusCode, raw)
			}
			return
		case len(raw) == 0:
			t.Fatalf("%s %q: %d without a body", method, path, res.StatusCode)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Fatalf("Content-Type = %q", ct)
		}
		var obj map[string]any
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err := dec.Decode(&obj); err != nil {
			t.Fatalf("%s %q: body is not a JSON object: %s", method, path, raw)
		}
		if res.StatusCode >= 400 {
			msg, hasMsg := obj["message"]
			if !hasMsg {
				t.Fatalf("%d without message: %s", res.StatusCode, raw)
			}
			if _, isCode := obj["code"]; isCode {
				if _, ok := obj["name"].(string); !ok {
					t.Fatalf("DAO error without name: %s", raw)
				}
			} else if _, ok := msg.(string); !ok || len(obj) != 1 {
				t.Fatalf("plain error is not {\"message\": text}: %s", raw)
			}
			if res.StatusCode == 500 && msg != "An unexpected error occurred" && msg != "An unexpected error happened" {
				t.Fatalf("500 body: %s", raw)
			}
		}
	})
}
