package integration

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/silverback-gw/silverback/internal/testutil/grpctest"
)

// TestGRPC runs a node with a cleartext and a TLS proxy listener, both
// flagged http2 (Kong's test setup for gRPC), in front of a grpc and a
// grpcs grpc-go upstream, configured through the Admin API; grpc-go
// clients call through it. key-auth refuses a call without a key as
// Kong does for gRPC (401 with grpc-status 16), request-termination's
// message becomes grpc-message.
func TestGRPC(t *testing.T) {
	n := start(t, map[string]string{"proxy_listen": "127.0.0.1:0 http2, 127.0.0.1:0 ssl http2"})
	addrs := n.g.Addrs()["proxy"]
	h2c, tlsAddr := addrs[0], addrs[1]
	grpcUp, grpcsUp := grpctest.Serve(t, "grpc", false), grpctest.Serve(t, "grpcs", true)
	for _, s := range []struct{ name, url string }{{"grpc", "grpc://" + grpcUp}, {"grpcs", "grpcs://" + grpcsUp}} {
		mustAdmin(t, n, "POST", "/services", fmt.Sprintf(`{"name":%q,"url":%q}`, s.name, s.url), 201)
		mustAdmin(t, n, "POST", "/services/"+s.name+"/routes",
			fmt.Sprintf(`{"name":%q,"protocols":["grpc","grpcs"],"hosts":[%q]}`, s.name, s.name+".test"), 201)
	}
	mustAdmin(t, n, "POST", "/services/grpc/routes", `{"name":"auth","protocols":["grpc"],"hosts":["auth.test"]}`, 201)
	mustAdmin(t, n, "POST", "/routes/auth/plugins", `{"name":"key-auth"}`, 201)
	mustAdmin(t, n, "POST", "/consumers", `{"username":"alice"}`, 201)
	mustAdmin(t, n, "POST", "/consumers/alice/key-auth", `{"key":"secret"}`, 201)
	mustAdmin(t, n, "POST", "/services/grpc/routes", `{"name":"closed","protocols":["grpc"],"hosts":["closed.test"]}`, 201)
	mustAdmin(t, n, "POST", "/routes/closed/plugins",
		`{"name":"request-termination","config":{"status_code":503,"message":"closed for the night"}}`, 201)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	eventually(t, 5*time.Second, "the gRPC routes", func() bool {
		_, err := grpctest.Client(t, h2c, "closed.test", false).UnaryCall(ctx, &testgrpc.SimpleRequest{})
		return status.Code(err) == codes.Unavailable
	})

	for _, listener := range []struct {
		addr string
		tls  bool
	}{{h2c, false}, {tlsAddr, true}} {
		for _, up := range []string{"grpc", "grpcs"} {
			client := grpctest.Client(t, listener.addr, up+".test", listener.tls)
			res, err := client.UnaryCall(ctx, &testgrpc.SimpleRequest{Payload: &testgrpc.Payload{Body: []byte("hi")}})
			if err != nil || res.GetServerId() != up || string(res.GetPayload().GetBody()) != "hi" {
				t.Fatalf("unary to %s (TLS %v): %v, %v", up, listener.tls, res, err)
			}
			bidi, err := client.FullDuplexCall(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, msg := range []string{"one", "two"} {
				if err := bidi.Send(&testgrpc.StreamingOutputCallRequest{Payload: &testgrpc.Payload{Body: []byte(msg)}}); err != nil {
					t.Fatal(err)
				}
				if got, err := bidi.Recv(); err != nil || string(got.GetPayload().GetBody()) != msg {
					t.Fatalf("bidi to %s: %v, %v", up, got, err)
				}
			}
			if err := bidi.CloseSend(); err != nil {
				t.Fatal(err)
			}
			if _, err := bidi.Recv(); err != io.EOF {
				t.Errorf("bidi end: %v", err)
			}
		}
	}

	auth := grpctest.Client(t, h2c, "auth.test", false)
	_, err := auth.UnaryCall(ctx, &testgrpc.SimpleRequest{})
	if s := status.Convert(err); s.Code() != codes.Unauthenticated || s.Message() != "Unauthenticated" {
		t.Errorf("key-auth without a key: %v", err)
	}
	if _, err := auth.UnaryCall(metadata.AppendToOutgoingContext(ctx, "apikey", "secret"), &testgrpc.SimpleRequest{}); err != nil {
		t.Errorf("key-auth with a key: %v", err)
	}

	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true)
	client := &http.Client{Transport: &http.Transport{Protocols: &protocols}, Timeout: 5 * time.Second}
	req, _ := http.NewRequest("POST", "http://"+h2c+"/grpc.testing.TestService/UnaryCall", strings.NewReader(""))
	req.Host = "closed.test"
	req.Header.Set("Content-Type", "application/grpc")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 503 || res.Header.Get("Grpc-Status") != "14" || res.Header.Get("Grpc-Message") != "closed for the night" {
		t.Errorf("request-termination: %d %v", res.StatusCode, res.Header)
	}
}
