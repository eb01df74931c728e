package proxy_test

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkProxyHTTPSUpstream is BenchmarkProxy with an https service
// verified with a ca_certificates entity, on kept-alive TLS connections
// (the TLS cost is per record once the pool holds the connection).
func BenchmarkProxyHTTPSUpstream(b *testing.B) {
	e := newEnv(b)
	body := []byte(`{"ok":true}`)
	up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(up.Close)
	ca := e.insert("ca_certificates", map[string]any{
		"cert": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: up.Certificate().Raw})),
	})
	svc := e.service(up.URL, map[string]any{"tls_verify": true, "ca_certificates": []any{ca}})
	e.route(svc, map[string]any{"paths": []any{"/bench"}})
	benchGet(b, e.client, e.srv.URL+"/bench/anything?x=1")
}
