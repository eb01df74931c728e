package proxy_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestHTTP2 serves the proxy on an h2c listener (prior knowledge, as Kong
// accepts on listeners flagged http2) and proxies to an HTTP/1.1 upstream.
func TestHTTP2(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	up := newEcho(t, "up")
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/h2"}, "strip_path": false})
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/secure"}, "protocols": []any{"https"}})
	e.route(e.service(up.URL, map[string]any{"protocol": "grpcs", "path": nil}), map[string]any{"paths": []any{"/grpcs"}, "protocols": []any{"grpcs"}})

	base := "http://" + serveH2(t, e, false)
	client := h2cClient(t)

	t.Run("proxied", func(t *testing.T) {
		req, _ := http.NewRequest("POST", base+"/h2?x=1", strings.NewReader("h2 body"))
		req.ContentLength = -1 // a body without length: sent chunked upstream
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.ProtoMajor != 2 || res.StatusCode != 200 {
			t.Fatalf("%s %d", res.Proto, res.StatusCode)
		}
		got := decodeEcho(t, string(body))
		if got.Proto != "HTTP/1.1" || got.URI != "/h2?x=1" || got.Body != "h2 body" {
			t.Errorf("upstream got %+v", got)
		}
		if v := got.Headers.Get("Via"); v != "2 kong/3.9.1" {
			t.Errorf("Via upstream = %q", v)
		}
		if v := res.Header.Get("Via"); v != "1.1 kong/3.9.1" {
			t.Errorf("Via downstream = %q", v)
		}
	})
	t.Run("gateway errors", func(t *testing.T) {
		for path, want := range map[string]int{"/nowhere": 404, "/secure": 426} {
			res, err := client.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.ProtoMajor != 2 || res.StatusCode != want || !strings.Contains(string(body), `"request_id"`) {
				t.Errorf("%s: %s %d %s", path, res.Proto, res.StatusCode, body)
			}
		}
	})
	t.Run("gRPC over cleartext to a grpcs route", func(t *testing.T) {
		req, _ := http.NewRequest("POST", base+"/grpcs", strings.NewReader(""))
		req.Header.Set("Content-Type", "application/grpc")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Grpc-Status") != "1" ||
			res.Header.Get("Grpc-Message") != "gRPC request matched gRPCs route" {
			t.Errorf("%d %v", res.StatusCode, res.Header)
		}
	})
}
