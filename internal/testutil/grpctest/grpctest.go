// Package grpctest runs gRPC upstreams for tests: grpc-go servers of
// grpc's own interop TestService, in cleartext (h2c) or over TLS, and
// clients for them.
package grpctest

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Service is the interop TestService, as much of it as proxy tests need:
//
//   - EmptyCall answers at once (the cheapest call, for benchmarks).
//   - UnaryCall answers with its payload and ServerId set to the server's
//     ID, echoes the request's metadata as "echo-<name>" response headers
//     (":authority" as "echo-authority"), sets the trailer "x-trailer",
//     and fails with ResponseStatus when it has a code.
//   - StreamingOutputCall sends one message per ResponseParameters (of
//     Size bytes, after IntervalUs), then fails with ResponseStatus if
//     set.
//   - StreamingInputCall answers the total size of the payloads received.
//   - FullDuplexCall answers each message when it comes: one message per
//     ResponseParameters, else its payload; a message with
//     ResponseStatus ends the call with it.
//
// Metadata "x-sleep" (a Go duration) makes UnaryCall wait before
// answering and StreamingInputCall before reading.
type Service struct {
	testgrpc.UnimplementedTestServiceServer
	ID string
}

// EmptyCall implements TestServiceServer.
func (s *Service) EmptyCall(context.Context, *testgrpc.Empty) (*testgrpc.Empty, error) {
	return &testgrpc.Empty{}, nil
}

// UnaryCall implements TestServiceServer.
func (s *Service) UnaryCall(ctx context.Context, req *testgrpc.SimpleRequest) (*testgrpc.SimpleResponse, error) {
	if err := sleep(ctx); err != nil {
		return nil, err
	}
	md, _ := metadata.FromIncomingContext(ctx)
	echo := metadata.MD{}
	for name, values := range md {
		if !strings.HasSuffix(name, "-bin") {
			echo["echo-"+strings.TrimPrefix(name, ":")] = values
		}
	}
	if err := grpc.SetHeader(ctx, echo); err != nil {
		return nil, err
	}
	if err := grpc.SetTrailer(ctx, metadata.Pairs("x-trailer", "unary")); err != nil {
		return nil, err
	}
	if st := req.GetResponseStatus(); st.GetCode() != 0 {
		return nil, status.Error(codes.Code(st.GetCode()), st.GetMessage())
	}
	return &testgrpc.SimpleResponse{Payload: req.GetPayload(), ServerId: s.ID}, nil
}

// StreamingOutputCall implements TestServiceServer.
func (s *Service) StreamingOutputCall(req *testgrpc.StreamingOutputCallRequest, stream grpc.ServerStreamingServer[testgrpc.StreamingOutputCallResponse]) error {
	if err := send(stream, req.GetResponseParameters()); err != nil {
		return err
	}
	if st := req.GetResponseStatus(); st.GetCode() != 0 {
		return status.Error(codes.Code(st.GetCode()), st.GetMessage())
	}
	return nil
}

// StreamingInputCall implements TestServiceServer.
func (s *Service) StreamingInputCall(stream grpc.ClientStreamingServer[testgrpc.StreamingInputCallRequest, testgrpc.StreamingInputCallResponse]) error {
	if err := sleep(stream.Context()); err != nil {
		return err
	}
	total := 0
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			return stream.SendAndClose(&testgrpc.StreamingInputCallResponse{AggregatedPayloadSize: int32(total)})
		}
		if err != nil {
			return err
		}
		total += len(req.GetPayload().GetBody())
	}
}

// FullDuplexCall implements TestServiceServer.
func (s *Service) FullDuplexCall(stream grpc.BidiStreamingServer[testgrpc.StreamingOutputCallRequest, testgrpc.StreamingOutputCallResponse]) error {
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if st := req.GetResponseStatus(); st.GetCode() != 0 {
			return status.Error(codes.Code(st.GetCode()), st.GetMessage())
		}
		if len(req.GetResponseParameters()) == 0 {
			if err := stream.Send(&testgrpc.StreamingOutputCallResponse{Payload: req.GetPayload()}); err != nil {
				return err
			}
			continue
		}
		if err := send(stream, req.GetResponseParameters()); err != nil {
			return err
		}
	}
}

// send sends one message per response parameter.
func send(stream interface {
	Send(*testgrpc.StreamingOutputCallResponse) error
}, params []*testgrpc.ResponseParameters) error {
	for _, p := range params {
		time.Sleep(time.Duration(p.GetIntervalUs()) * time.Microsecond)
		msg := &testgrpc.StreamingOutputCallResponse{Payload: &testgrpc.Payload{Body: make([]byte, p.GetSize())}}
		if err := stream.Send(msg); err != nil {
			return err
		}
	}
	return nil
}

// sleep waits for the duration in the call's "x-sleep" metadata, if any.
func sleep(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	v := md.Get("x-sleep")
	if len(v) == 0 {
		return nil
	}
	d, err := time.ParseDuration(v[0])
	if err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Serve starts a server of Service{ID: id} on a loopback port, over TLS
// with the package's certificate when tlsOn, and returns its address; it
// stops with the test.
func Serve(t testing.TB, id string, tlsOn bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var opts []grpc.ServerOption
	if tlsOn {
		opts = append(opts, grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{Certificate(t)}})))
	}
	srv := grpc.NewServer(opts...)
	testgrpc.RegisterTestServiceServer(srv, &Service{ID: id})
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return ln.Addr().String()
}

// Client returns a TestService client of target (a gateway's proxy
// address) that sends authority as :authority, over TLS without
// verification when tlsOn, else in cleartext; it closes with the test.
func Client(t testing.TB, target, authority string, tlsOn bool) testgrpc.TestServiceClient {
	t.Helper()
	creds := insecure.NewCredentials()
	if tlsOn {
		creds = credentials.NewTLS(&tls.Config{InsecureSkipVerify: true}) //nolint:gosec // a test's own certificate
	}
	cc, err := grpc.NewClient("passthrough:///"+target, grpc.WithTransportCredentials(creds), grpc.WithAuthority(authority))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return testgrpc.NewTestServiceClient(cc)
}
