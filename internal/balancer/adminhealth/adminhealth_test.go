package adminhealth_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/admin"
	"github.com/silverback-gw/silverback/internal/balancer"
	"github.com/silverback-gw/silverback/internal/balancer/adminhealth"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/runtime"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/memory"
)

// TestAdminHealth wires a Set into the Admin API as the gateway does and
// reads /upstreams/{u}/health after manual overrides.
func TestAdminHealth(t *testing.T) {
	plugins, err := plugin.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	cat := entities.NewCatalog(plugins)
	db := store.New(memory.New(cat), cat)
	quiet := slog.New(slog.DiscardHandler)
	holder := runtime.NewHolder(func() *store.DB { return db }, quiet)
	set := balancer.NewSet(balancer.Options{Logger: quiet})
	t.Cleanup(func() { set.Close() })
	srv := httptest.NewServer(admin.New(admin.Options{DB: func() *store.DB { return db }, Plugins: plugins,
		Health: adminhealth.New(set), Logger: quiet}))
	t.Cleanup(srv.Close)

	call := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		if method != "GET" {
			if err := holder.Rebuild(context.Background()); err != nil {
				t.Fatal(err)
			}
			set.Sync(holder.Load())
		}
		return res.StatusCode, m
	}
	call("POST", "/upstreams", `{"name":"u","healthchecks":{"passive":{"unhealthy":{"tcp_failures":3}}}}`)
	call("POST", "/upstreams/u/targets", `{"target":"127.0.0.1:9001"}`)
	call("POST", "/upstreams/u/targets", `{"target":"127.0.0.1:9002","weight":50}`)

	health := func() map[string]string {
		t.Helper()
		_, m := call("GET", "/upstreams/u/health", "")
		out := map[string]string{}
		for _, r := range m["data"].([]any) {
			r := r.(map[string]any)
			out[r["target"].(string)] = r["health"].(string)
		}
		return out
	}
	steps := []struct {
		method, path string
		status       int
		want         map[string]string
		balancer     string
	}{
		{"", "", 0, map[string]string{"127.0.0.1:9001": "HEALTHY", "127.0.0.1:9002": "HEALTHY"}, "HEALTHY"},
		{"PUT", "/upstreams/u/targets/127.0.0.1:9001/unhealthy", 204,
			map[string]string{"127.0.0.1:9001": "UNHEALTHY", "127.0.0.1:9002": "HEALTHY"}, "HEALTHY"},
		{"PUT", "/upstreams/u/targets/127.0.0.1:9002/127.0.0.1:9002/unhealthy", 204,
			map[string]string{"127.0.0.1:9001": "UNHEALTHY", "127.0.0.1:9002": "UNHEALTHY"}, "UNHEALTHY"},
		{"PUT", "/upstreams/u/targets/127.0.0.1:9002/127.0.0.1:9999/healthy", 400,
			map[string]string{"127.0.0.1:9001": "UNHEALTHY", "127.0.0.1:9002": "UNHEALTHY"}, "UNHEALTHY"},
		{"PUT", "/upstreams/u/targets/127.0.0.1:9001/healthy", 204,
			map[string]string{"127.0.0.1:9001": "HEALTHY", "127.0.0.1:9002": "UNHEALTHY"}, "HEALTHY"},
	}
	for i, st := range steps {
		if st.method != "" {
			if code, m := call(st.method, st.path, ""); code != st.status {
				t.Fatalf("step %d: %s %s: %d %v", i, st.method, st.path, code, m)
			}
		}
		got := health()
		for k, v := range st.want {
			if got[k] != v {
				t.Fatalf("step %d: health %v, want %v", i, got, st.want)
			}
		}
		_, m := call("GET", "/upstreams/u/health?balancer_health=1", "")
		d := m["data"].(map[string]any)
		if d["health"] != st.balancer || d["balancer_health"] != st.balancer {
			t.Fatalf("step %d: balancer %v", i, d)
		}
	}
}
