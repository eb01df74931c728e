package proxy_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/silverback-gw/silverback/internal/proxy"
	"github.com/silverback-gw/silverback/internal/testutil/grpctest"
)

// serveH2 serves e's proxy on a second listener that speaks HTTP/2 as
// well as HTTP/1.1: cleartext with prior knowledge (Kong's http2
// listeners), or TLS with ALPN h2 when tlsOn. It returns the address.
func serveH2(t testing.TB, e *env, tlsOn bool) string {
	t.Helper()
	if testEngine == "native" {
		return serveNative(t, e.proxy, tlsOn, true)
	}
	srv := httptest.NewUnstartedServer(e.proxy)
	if tlsOn {
		srv.EnableHTTP2 = true
		srv.StartTLS()
	} else {
		srv.Config.Protocols = new(http.Protocols)
		srv.Config.Protocols.SetHTTP1(true)
		srv.Config.Protocols.SetUnencryptedHTTP2(true)
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// h2cClient is an HTTP client speaking HTTP/2 with prior knowledge.
func h2cClient(t testing.TB) *http.Client {
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func callCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func payload(b []byte) *testgrpc.Payload { return &testgrpc.Payload{Body: b} }

// TestGRPCRouteChecks: gRPC routes only take gRPC over HTTP/2 (Kong's
// access checks).
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

// TestGRPCProxy calls grpc-go servers through the proxy with a grpc-go
// client: cleartext (h2c) and TLS (ALPN h2) listeners, to a grpc (h2c)
// and a grpcs (TLS) service. Every kind of call streams both ways, and
// the upstream's statuses, headers and trailers reach the client.
func TestGRPCProxy(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	e := newEnv(t, func(o *proxy.Options) { o.Plugins = rec })
	ups := map[string]string{"grpc": grpctest.Serve(t, "grpc", false), "grpcs": grpctest.Serve(t, "grpcs", true)}
	for scheme, addr := range ups {
		e.route(e.service(scheme+"://"+addr, nil), map[string]any{"hosts": []any{scheme + ".test"}, "protocols": []any{"grpc", "grpcs"}})
	}
	for _, listener := range []struct {
		name, proto string
		tls         bool
	}{{"h2c", "http", false}, {"tls", "https", true}} {
		proxyAddr := serveH2(t, e, listener.tls)
		for scheme, upAddr := range ups {
			t.Run(listener.name+" to "+scheme, func(t *testing.T) {
				client := grpctest.Client(t, proxyAddr, scheme+".test", listener.tls)
				testUnary(t, rec, client, scheme, upAddr, listener.proto)
				testStreams(t, rec, client)
			})
		}
	}
}

// testUnary checks unary calls: the answer, what the upstream saw, the
// headers and trailers the client gets, the phases run, and an error
// status (sent by the upstream as a trailers-only response).
func testUnary(t *testing.T, rec *recorder, client testgrpc.TestServiceClient, id, upAddr, proto string) {
	var header, trailer metadata.MD
	big := bytes.Repeat([]byte("x"), 1<<20) // beyond HTTP/2's initial windows
	res, err := client.UnaryCall(callCtx(t), &testgrpc.SimpleRequest{Payload: payload(big)},
		grpc.Header(&header), grpc.Trailer(&trailer))
	if err != nil {
		t.Fatal(err)
	}
	if res.GetServerId() != id || !bytes.Equal(res.GetPayload().GetBody(), big) {
		t.Errorf("answer from %q with %d bytes", res.GetServerId(), len(res.GetPayload().GetBody()))
	}
	if phases := rec.take(); phases != "rewrite,access,header_filter,body_filter(eof),log" {
		t.Errorf("phases %s", phases)
	}
	want := map[string]string{
		"echo-authority":         upAddr, // the target, with its port
		"echo-via":               "2 kong/3.9.1",
		"echo-x-forwarded-proto": proto,
		"echo-x-forwarded-host":  id + ".test",
		"echo-x-forwarded-path":  "/grpc.testing.TestService/UnaryCall",
		"echo-x-real-ip":         "127.0.0.1",
		"echo-content-type":      "application/grpc",
		"via":                    "2 kong/3.9.1",
	}
	for name, v := range want {
		if got := header.Get(name); len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
	if rid := header.Get("x-kong-request-id"); len(rid) != 1 || !hexID.MatchString(rid[0]) || header.Get("echo-x-kong-request-id")[0] != rid[0] {
		t.Errorf("request ids: %q upstream, %q downstream", header.Get("echo-x-kong-request-id"), rid)
	}
	if len(header.Get("x-kong-upstream-latency")) != 1 || len(header.Get("x-kong-proxy-latency")) != 1 {
		t.Errorf("latency headers missing: %v", header)
	}
	if ua := header.Get("echo-user-agent"); len(ua) != 1 || !strings.HasPrefix(ua[0], "grpc-go/") {
		t.Errorf("user-agent upstream %q", ua)
	}
	if got := trailer.Get("x-trailer"); len(got) != 1 || got[0] != "unary" {
		t.Errorf("trailers %v", trailer)
	}

	_, err = client.UnaryCall(callCtx(t), &testgrpc.SimpleRequest{ResponseStatus: &testgrpc.EchoStatus{Code: int32(codes.NotFound), Message: "no such thing"}})
	if s := status.Convert(err); s.Code() != codes.NotFound || s.Message() != "no such thing" {
		t.Errorf("upstream error: %v", err)
	}
	rec.take()
	// A trailers-only response: the status in the one HEADERS frame.
	_, err = client.UnimplementedCall(callCtx(t), &testgrpc.Empty{})
	if s := status.Convert(err); s.Code() != codes.Unimplemented || !strings.Contains(s.Message(), "UnimplementedCall") {
		t.Errorf("upstream trailers-only error: %v", err)
	}
	rec.take()
}

// testStreams checks server, client and bidirectional streaming.
func testStreams(t *testing.T, rec *recorder, client testgrpc.TestServiceClient) {
	out, err := client.StreamingOutputCall(callCtx(t), &testgrpc.StreamingOutputCallRequest{
		ResponseParameters: []*testgrpc.ResponseParameters{{Size: 1}, {Size: 70000, IntervalUs: 1000}, {Size: 3}},
		ResponseStatus:     &testgrpc.EchoStatus{Code: int32(codes.FailedPrecondition), Message: "after three"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1, 70000, 3} {
		msg, err := out.Recv()
		if err != nil || len(msg.GetPayload().GetBody()) != size {
			t.Fatalf("server streaming: %d bytes, %v; want %d", len(msg.GetPayload().GetBody()), err, size)
		}
	}
	if _, err := out.Recv(); status.Code(err) != codes.FailedPrecondition || status.Convert(err).Message() != "after three" {
		t.Errorf("server streaming status: %v", err)
	}
	rec.take()

	in, err := client.StreamingInputCall(callCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1, 100000, 10} {
		if err := in.Send(&testgrpc.StreamingInputCallRequest{Payload: payload(make([]byte, size))}); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := in.CloseAndRecv(); err != nil || res.GetAggregatedPayloadSize() != 100011 {
		t.Errorf("client streaming: %v, %v", res, err)
	}
	rec.take()

	// Ping-pong: each answer must come before the next message is sent.
	bidi, err := client.FullDuplexCall(callCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		ping := fmt.Sprintf("ping %d", i)
		if err := bidi.Send(&testgrpc.StreamingOutputCallRequest{Payload: payload([]byte(ping))}); err != nil {
			t.Fatal(err)
		}
		if msg, err := bidi.Recv(); err != nil || string(msg.GetPayload().GetBody()) != ping {
			t.Fatalf("bidi %d: %v, %v", i, msg, err)
		}
	}
	if err := bidi.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := bidi.Recv(); err != io.EOF {
		t.Errorf("bidi end: %v", err)
	}
	rec.take()
}

// TestGRPCGatewayErrors: the gateway's own answers to gRPC calls are
// Kong's. kong.response.error (the router, the balancer, plugins) sends
// the HTTP status with Content-Type application/grpc, grpc-status and
// grpc-message the status's name; Kong.handle_error (upstream failures)
// sends grpc-status and the error message without a Content-Type, so a
// gRPC client reads the HTTP status. Each is a trailers-only response.
func TestGRPCGatewayErrors(t *testing.T) {
	t.Parallel()
	rec := &recorder{access: func(s *proxy.State) {
		switch s.Request().Host() {
		case "auth.test":
			s.Error(401, "Unauthorized")
		case "closed.test":
			s.Exit(503, []byte("closed for maintenance"))
		}
	}}
	e := newEnv(t, func(o *proxy.Options) { o.Plugins = rec })
	up := grpctest.Serve(t, "up", false)
	hosts := map[string]string{"auth.test": "grpc://" + up, "closed.test": "grpc://" + up, "down.test": "grpc://" + deadAddr(t)}
	for host, url := range hosts {
		e.route(e.service(url, nil), map[string]any{"hosts": []any{host}, "protocols": []any{"grpc"}})
	}
	e.route(e.service("grpc://"+up, map[string]any{"read_timeout": 200}), map[string]any{"hosts": []any{"slow.test"}, "protocols": []any{"grpc"}})
	h1 := httptest.NewTLSServer(http.NotFoundHandler()) // TLS without ALPN h2
	t.Cleanup(h1.Close)
	e.route(e.service("grpcs://"+h1.Listener.Addr().String(), nil), map[string]any{"hosts": []any{"h1.test"}, "protocols": []any{"grpc"}})
	addr := serveH2(t, e, false)

	tests := []struct {
		host       string
		status     int
		grpcStatus string
		message    string
		grpcType   bool // Content-Type application/grpc
		code       codes.Code
	}{
		{"nowhere.test", 404, "5", "NotFound", true, codes.NotFound},
		{"auth.test", 401, "16", "Unauthenticated", true, codes.Unauthenticated},
		{"closed.test", 503, "14", "closed for maintenance", false, codes.Unavailable},
		{"down.test", 502, "13", "An invalid response was received from the upstream server", false, codes.Unavailable},
		{"h1.test", 502, "13", "An invalid response was received from the upstream server", false, codes.Unavailable},
		{"slow.test", 504, "4", "The upstream server is timing out", false, codes.Unavailable},
	}
	h2c := h2cClient(t)
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			ctx := metadata.AppendToOutgoingContext(callCtx(t), "x-sleep", "2s")
			_, err := grpctest.Client(t, addr, tt.host, false).UnaryCall(ctx, &testgrpc.SimpleRequest{})
			s := status.Convert(err)
			if s.Code() != tt.code || tt.grpcType && s.Message() != tt.message ||
				!tt.grpcType && !strings.Contains(s.Message(), fmt.Sprintf("HTTP status code received from server: %d", tt.status)) {
				t.Errorf("grpc-go client: %v", err)
			}
			rec.take()

			req, _ := http.NewRequest("POST", "http://"+addr+"/grpc.testing.TestService/UnaryCall", strings.NewReader("\x00\x00\x00\x00\x00"))
			req.Host = tt.host
			req.Header = http.Header{"Content-Type": {"application/grpc"}, "Te": {"trailers"}, "X-Sleep": {"2s"}}
			res, err := h2c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			ct := res.Header.Get("Content-Type")
			if res.StatusCode != tt.status || res.Header.Get("Grpc-Status") != tt.grpcStatus ||
				res.Header.Get("Grpc-Message") != tt.message || (ct == "application/grpc") != tt.grpcType ||
				len(body) != 0 || !hexID.MatchString(res.Header.Get("X-Kong-Request-Id")) {
				t.Errorf("%d %v %q", res.StatusCode, res.Header, body)
			}
			rec.take()
		})
	}
}

// TestGRPCRetries: a target that refuses connections is left for the
// next one (the call was not sent), and :authority names the target that
// answered.
func TestGRPCRetries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	up := grpctest.Serve(t, "live", false)
	u := e.insert("upstreams", map[string]any{"name": "grpc-pool"})
	for _, target := range []string{deadAddr(t), up} {
		e.insert("targets", map[string]any{"upstream": map[string]any{"id": u}, "target": target})
	}
	e.route(e.service("grpc://grpc-pool", nil), map[string]any{"hosts": []any{"pool.test"}, "protocols": []any{"grpc"}})
	client := grpctest.Client(t, serveH2(t, e, false), "pool.test", false)
	for range 4 {
		var header metadata.MD
		res, err := client.UnaryCall(callCtx(t), &testgrpc.SimpleRequest{}, grpc.Header(&header))
		if err != nil || res.GetServerId() != "live" {
			t.Fatalf("%v, %v", res, err)
		}
		if a := header.Get("echo-authority"); len(a) != 1 || a[0] != up {
			t.Errorf(":authority %q, want %q", a, up)
		}
	}
}

// TestGRPCTimeouts: the service's read_timeout bounds each wait for the
// upstream's response (a stream that stalls is reset), its
// write_timeout each wait for the upstream to take more of the request
// (a 504 before the response head).
func TestGRPCTimeouts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	up := grpctest.Serve(t, "up", false)
	e.route(e.service("grpc://"+up, map[string]any{"read_timeout": 300, "write_timeout": 300}),
		map[string]any{"hosts": []any{"slow.test"}, "protocols": []any{"grpc"}})
	client := grpctest.Client(t, serveH2(t, e, false), "slow.test", false)

	start := time.Now()
	out, err := client.StreamingOutputCall(callCtx(t), &testgrpc.StreamingOutputCallRequest{
		ResponseParameters: []*testgrpc.ResponseParameters{{Size: 1}, {Size: 1, IntervalUs: 3e6}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := out.Recv(); err != nil {
		t.Fatal(err)
	}
	if _, err := out.Recv(); err == nil || time.Since(start) > 2*time.Second {
		t.Errorf("stalled stream: %v after %v", err, time.Since(start))
	}

	ctx := metadata.AppendToOutgoingContext(callCtx(t), "x-sleep", "3s")
	in, err := client.StreamingInputCall(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	for range 8 {
		if err := in.Send(&testgrpc.StreamingInputCallRequest{Payload: payload(make([]byte, 256<<10))}); err != nil {
			break // the proxy gave up
		}
	}
	_, err = in.CloseAndRecv()
	if s := status.Convert(err); s.Code() != codes.Unavailable || !strings.Contains(s.Message(), "504") || time.Since(start) > 2*time.Second {
		t.Errorf("upstream not reading: %v after %v", err, time.Since(start))
	}
}
