// Package plugintest runs plugins through the real proxy for tests: a
// memory store written through the DAO, the runtime holder compiling the
// plugin instances, the plugin runtime, the proxy on a loopback listener
// and an echo upstream.
package plugintest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/proxy"
	"github.com/silverback-gw/silverback/internal/runtime"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/memory"
)

// Env is a gateway under test.
type Env struct {
	T        testing.TB
	DB       *store.DB
	Holder   *runtime.Holder
	Runtime  *plugin.Runtime
	Proxy    *proxy.Proxy
	Server   *httptest.Server
	Upstream *Echo
	Client   *http.Client
	// Logs holds what the gateway logged.
	Logs *Buffer
}

// New starts a gateway loading the named plugins, with Kong's default
// proxy options changed by opts.
func New(t testing.TB, plugins []string, opts ...func(*proxy.Options)) *Env {
	t.Helper()
	set, err := plugin.Load(plugins)
	if err != nil {
		t.Fatal(err)
	}
	logs := &Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := entities.NewCatalog(set, set.Entities()...)
	db := store.New(memory.New(c), c)
	rt := plugin.NewRuntime(set, log)
	rt.SetCache(plugin.NewCache(db, plugin.CacheOptions{}))
	h := runtime.NewHolder(func() *store.DB { return db }, log)
	h.SetPluginCompiler(rt)
	if err := h.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	o := proxy.DefaultOptions(h)
	o.Logger, o.Plugins = log, rt
	for _, f := range opts {
		f(&o)
	}
	p := proxy.New(o)
	srv := httptest.NewUnstartedServer(p)
	srv.Config.DisableGeneralOptionsHandler = true
	srv.Start()
	e := &Env{T: t, DB: db, Holder: h, Runtime: rt, Proxy: p, Server: srv, Upstream: NewEcho(t), Logs: logs,
		Client: &http.Client{Transport: &http.Transport{DisableCompression: true},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	t.Cleanup(func() {
		e.Client.CloseIdleConnections()
		srv.Close()
		p.Close()
		rt.Close()
	})
	return e
}

// Insert creates an entity from its JSON form, as the Admin API gets it,
// rebuilds the snapshot and returns the new id.
func (e *Env) Insert(entity, body string) string {
	e.T.Helper()
	id, err := e.insert(entity, body)
	if err != nil {
		e.T.Fatalf("insert %s %s: %v", entity, body, err)
	}
	return id
}

// TryInsert is Insert returning the store's error (a schema violation)
// instead of failing the test.
func (e *Env) TryInsert(entity, body string) error {
	_, err := e.insert(entity, body)
	return err
}

func (e *Env) insert(entity, body string) (string, error) {
	var row map[string]any
	if err := json.Unmarshal([]byte(body), &row); err != nil {
		return "", err
	}
	ctx := context.Background()
	var id string
	err := e.DB.Update(ctx, func(tx *store.Txn) error {
		r, err := tx.Insert(ctx, entity, row)
		if err == nil {
			id = r["id"].(string)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return id, e.Holder.Rebuild(ctx)
}

// Service creates a service pointing at the echo upstream.
func (e *Env) Service() string {
	return e.Insert("services", `{"url":"`+e.Upstream.URL+`"}`)
}

// Route creates a route of service with paths.
func (e *Env) Route(service string, paths ...string) string {
	b, _ := json.Marshal(map[string]any{"paths": paths, "service": map[string]any{"id": service}})
	return e.Insert("routes", string(b))
}

// Plugin creates a plugin instance: scope holds its route, service and
// consumer references as JSON fields (`"route":{"id":"…"}`), "" for a
// global one; config is the config object's JSON, "" for none.
func (e *Env) Plugin(name, scope, config string) string {
	body := `{"name":"` + name + `"`
	if scope != "" {
		body += "," + scope
	}
	if config != "" {
		body += `,"config":` + config
	}
	return e.Insert("plugins", body+"}")
}

// On returns a scope field referencing entity (route, service, consumer)
// id, for Plugin.
func On(entity, id string) string { return `"` + entity + `":{"id":"` + id + `"}` }

// Request describes a request to the proxy.
type Request struct {
	Method, Path, Host, Body string
	Header                   http.Header
}

// Do sends r to the proxy and returns the response with its body read.
func (e *Env) Do(r Request) (*http.Response, string) {
	e.T.Helper()
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if r.Body != "" {
		body = strings.NewReader(r.Body)
	}
	req, err := http.NewRequest(method, e.Server.URL+r.Path, body)
	if err != nil {
		e.T.Fatal(err)
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	if r.Host != "" {
		req.Host = r.Host
	}
	res, err := e.Client.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	return res, string(b)
}

// Get sends a GET for path.
func (e *Env) Get(path string) (*http.Response, string) { return e.Do(Request{Path: path}) }

// Echo is an upstream answering with what reached it, as JSON, and
// counting its requests.
type Echo struct {
	*httptest.Server
	Count atomic.Int64
}

// Echoed is what the echo upstream saw.
type Echoed struct {
	Method  string      `json:"method"`
	URI     string      `json:"uri"`
	Headers http.Header `json:"headers"`
	Body    string      `json:"body"`
}

// NewEcho starts an echo upstream.
func NewEcho(t testing.TB) *Echo {
	u := &Echo{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.Count.Add(1)
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(Echoed{Method: r.Method, URI: r.RequestURI, Headers: r.Header, Body: string(b)})
	}))
	t.Cleanup(u.Close)
	return u
}

// Buffer is a bytes.Buffer safe for concurrent use, for logs.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns what was written.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
