package proxy_test

import (
	"context"
	"testing"

	testgrpc "google.golang.org/grpc/interop/grpc_testing"

	"github.com/silverback-gw/silverback/internal/testutil/grpctest"
)

// benchUnary makes unary calls (EmptyCall: the upstream does nothing).
func benchUnary(b *testing.B, client testgrpc.TestServiceClient) {
	req := &testgrpc.Empty{}
	ctx := context.Background()
	if _, err := client.EmptyCall(ctx, req); err != nil { // connections up
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := client.EmptyCall(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGRPCDirect is the baseline: a grpc-go client calling a grpc-go
// server. BenchmarkGRPCProxy minus BenchmarkGRPCDirect is what the proxy
// costs (both ends run in the benchmark's process).
func BenchmarkGRPCDirect(b *testing.B) {
	up := grpctest.Serve(b, "up", false)
	benchUnary(b, grpctest.Client(b, up, "up", false))
}

// BenchmarkGRPCProxy is a unary call through the proxy: h2c from the
// client, h2c to a grpc service.
func BenchmarkGRPCProxy(b *testing.B) {
	e := newEnv(b)
	e.route(e.service("grpc://"+grpctest.Serve(b, "up", false), nil),
		map[string]any{"hosts": []any{"grpc.test"}, "protocols": []any{"grpc"}})
	benchUnary(b, grpctest.Client(b, serveH2(b, e, false), "grpc.test", false))
}

// BenchmarkGRPCProxyTLS is BenchmarkGRPCProxy to a grpcs service.
func BenchmarkGRPCProxyTLS(b *testing.B) {
	e := newEnv(b)
	e.route(e.service("grpcs://"+grpctest.Serve(b, "up", true), nil),
		map[string]any{"hosts": []any{"grpcs.test"}, "protocols": []any{"grpcs"}})
	benchUnary(b, grpctest.Client(b, serveH2(b, e, true), "grpcs.test", true))
}
