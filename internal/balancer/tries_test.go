package balancer

import (
	"context"
	"strconv"
	"testing"

	mdns "github.com/miekg/dns"

	"github.com/silverback-gw/silverback/internal/runtime"
	"github.com/silverback-gw/silverback/internal/testutil/dnstest"
)

// TestTriesUpstream: an upstream's tries never repeat an address and end
// when every address was tried; an upstream without targets has no peer.
func TestTriesUpstream(t *testing.T) {
	s := newTestSet(t, nil)
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

// TestTriesHost: a service host is resolved through Hosts: an IP is used
// as is, a name's addresses in turn (retries from the cache), an SRV
// record's port replaces the service's; NXDOMAIN is Kong's 503 "name
// resolution failed", another failure a 500.
func TestTriesHost(t *testing.T) {
	srv, c := newDNS(t)
	srv.A("two.test", 60, "10.0.0.1", "10.0.0.2")
	srv.SRV("srv.test", 60, dnstest.SRV{Target: "two.test", Port: 9000, Weight: 1})
	srv.A("fail.test", 60, "10.0.0.3")
	for _, typ := range []uint16{mdns.TypeSRV, mdns.TypeA, mdns.TypeCNAME} {
		srv.Rcode("fail.test", typ, mdns.RcodeServerFailure)
	}
	hosts := NewHosts(c)
	tests := []struct {
		host       string
		first, rtr string // the first peer and its retry's, or the error
	}{
		{"::1", "[::1]:80", "[::1]:80"},
		{"[::1]", "[::1]:80", "[::1]:80"},
		{"two.test", "10.0.0.1:80", "10.0.0.2:80"},
		{"srv.test", "10.0.0.1:9000", "10.0.0.2:9000"},
		{"nx.test", "503 name resolution failed", ""},
		{"fail.test", "500 failed the initial dns/balancer resolve for 'fail.test' with: dns server error: 2 server failure", ""},
	}
	for _, tt := range tests {
		var tr Tries
		p, perr := tr.Prepare(context.Background(), nil, hosts, nil, tt.host, 80, fakeRequest{})
		if perr != nil {
			if got := strconv.Itoa(perr.Status) + " " + perr.Message; got != tt.first {
				t.Errorf("%s: %s, want %s", tt.host, got, tt.first)
			}
			continue
		}
		if p.Addr.String() != tt.first || p.Hostname != tt.host {
			t.Errorf("%s: first peer %+v, want %s", tt.host, p, tt.first)
		}
		if again, ok := tr.Next(1); !ok || again.Addr.String() != tt.rtr || again.Hostname != tt.host {
			t.Errorf("%s: retry %+v, %v, want %s", tt.host, again, ok, tt.rtr)
		}
	}
}
