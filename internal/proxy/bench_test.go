package proxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchUpstream answers every request with a small fixed body.
func benchUpstream(b *testing.B) *httptest.Server {
	body := []byte(`{"ok":true}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func benchGet(b *testing.B, client *http.Client, url string) {
	b.ReportAllocs()
	for b.Loop() {
		res, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}

// BenchmarkDirect is the baseline: client and upstream without the proxy.
// BenchmarkProxy minus BenchmarkDirect is what the proxy costs.
func BenchmarkDirect(b *testing.B) {
	up := benchUpstream(b)
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	benchGet(b, client, up.URL+"/anything?x=1")
}

// BenchmarkProxy is a full request: client → proxy → upstream over
// loopback, on kept-alive connections, on each HTTP/1.x engine.
func BenchmarkProxy(b *testing.B) {
	for _, engine := range engines {
		b.Run(engine, func(b *testing.B) {
			e := newEnvEngine(b, engine)
			up := benchUpstream(b)
			svc := e.service(up.URL, nil)
			e.route(svc, map[string]any{"paths": []any{"/bench"}})
			for i := range 100 { // a router of realistic size
				e.route(svc, map[string]any{"paths": []any{"/other" + string(rune('a'+i%26)) + string(rune('a'+i/26))}})
			}
			benchGet(b, e.client, e.srv.URL+"/bench/anything?x=1")
		})
	}
}

// BenchmarkProxyUpstreamEntity balances over an upstream entity's targets.
func BenchmarkProxyUpstreamEntity(b *testing.B) {
	e := newEnv(b)
	up := benchUpstream(b)
	u := e.insert("upstreams", map[string]any{"name": "bench.test"})
	e.insert("targets", map[string]any{"upstream": map[string]any{"id": u}, "target": up.Listener.Addr().String()})
	e.route(e.insert("services", map[string]any{"host": "bench.test"}), map[string]any{"paths": []any{"/bench"}})
	benchGet(b, e.client, e.srv.URL+"/bench/anything?x=1")
}
