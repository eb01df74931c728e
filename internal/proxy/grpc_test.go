package proxy_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestGRPCRouteChecks: gRPC routes only take gRPC over HTTP/2 (Kong's
// access checks); proxying gRPC itself is not covered here.
func TestGRPCRouteChecks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	up := newEcho(t, "up")
	e.route(e.service(up.URL, map[string]any{"protocol": "grpc", "path": nil}), map[string]any{"paths": []any{"/grpc"}, "protocols": []any{"grpc"}})
	e.route(e.service(up.URL, map[string]any{"protocol": "grpc", "path": nil}), map[string]any{"paths": []any{"/grpcs"}, "protocols": []any{"grpcs"}})

	res, body := e.do(request{path: "/grpc"})
	if res.StatusCode != 415 || !strings.Contains(body, "Non-gRPC request matched gRPC route") {
		t.Errorf("not gRPC: %d %q", res.StatusCode, body)
	}
	res, body = e.do(request{path: "/grpc", header: http.Header{"Content-Type": {"application/grpc"}}})
	if res.StatusCode != 426 || !strings.Contains(body, "Please use HTTP2 protocol") || res.Header.Get("Upgrade") != "HTTP/2" {
		t.Errorf("gRPC over HTTP/1.1: %d %q %v", res.StatusCode, body, res.Header)
	}
}
