package balancer

import (
	"context"
	"testing"

	"github.com/silverback-gw/silverback/internal/runtime"
)

// TestTriesUpstream: an upstream's tries never repeat an address and end
// when every address was tried; an upstream without targets has no peer.
func TestTriesUpstream(t *testing.T) {
	s := newTestSet(t, &fakeResolver{})
	ups := map[string]*runtime.Upstream{
		"two":   upstream("two", "round-robin", nil, "127.0.0.1:1", "127.0.0.2:1"),
		"empty": upstream("empty", "round-robin", nil),
	}
	ups["two"].HostHeader = "named.test"
	var tr Tries
	first, perr := tr.Prepare(context.Background(), s, nil, ups, "two", 80, fakeRequest{})
	if perr != nil || first.Hostname != "named.test" {
		t.Fatalf("first peer %+v, %v", first, perr)
	}
	tr.Report(Outcome{Failure: FailureTCP})
	second, ok := tr.Next(1)
	if !ok || second.Addr == first.Addr {
		t.Fatalf("second peer %+v, %v after %v", second, ok, first.Addr)
	}
	tr.Report(Outcome{Failure: FailureTCP})
	if p, ok := tr.Next(2); ok {
		t.Errorf("a third peer %v out of two addresses", p.Addr)
	}
	if _, perr := tr.Prepare(context.Background(), s, nil, ups, "empty", 80, fakeRequest{}); perr == nil ||
		perr.Status != 503 || perr.Message != "failure to get a peer from the ring-balancer" {
		t.Errorf("empty upstream: %v", perr)
	}
}

// TestTriesHost: an IP host is retried as is (names are resolved through
// Hosts: the proxy's DNS tests cover them).
func TestTriesHost(t *testing.T) {
	var tr Tries
	p, perr := tr.Prepare(context.Background(), nil, nil, nil, "::1", 9000, fakeRequest{})
	if perr != nil || p.Addr.String() != "[::1]:9000" || p.Hostname != "::1" {
		t.Fatalf("IP host: %+v, %v", p, perr)
	}
	if again, ok := tr.Next(1); !ok || again != p {
		t.Errorf("retry of an IP host: %+v, %v", again, ok)
	}
}
