package router

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

// streamReq builds a request; src and dst are "ip:port" or "".
func streamReq(src, dst string) *StreamRequest {
	req := &StreamRequest{}
	if src != "" {
		req.Source = netip.MustParseAddrPort(src)
	}
	if dst != "" {
		req.Destination = netip.MustParseAddrPort(dst)
	}
	return req
}

func mustStream(t *testing.T, routes []Route) *StreamRouter {
	t.Helper()
	r, err := NewStream(routes)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// checkStream asserts the route id a request matches ("" for none).
func checkStream(t *testing.T, r *StreamRouter, name string, req *StreamRequest, want string) {
	t.Helper()
	got := ""
	if rt, ok := r.Match(req); ok {
		got = rt.ID
	}
	if got != want {
		t.Errorf("%s: matched %q, want %q", name, got, want)
	}
}

// endpointsCase is Kong's router spec for sources (and, the same, for
// destinations): plain IPs, ports, a range, IP and port together.
func endpointsCase() []Route {
	return []Route{
		{ID: "e8fb37f1-102d-461e-9c51-6608a6bb8101", Protocols: []string{"tcp"}, Sources: []Endpoint{{IP: "127.0.0.1"}, {IP: "127.0.0.2"}}},
		{ID: "e8fb37f1-102d-461e-9c51-6608a6bb8102", Protocols: []string{"tcp"}, Sources: []Endpoint{{Port: 65001}, {Port: 65002}}},
		{ID: "e8fb37f1-102d-461e-9c51-6608a6bb8103", Protocols: []string{"tcp"}, Sources: []Endpoint{{IP: "127.168.0.0/8"}}},
		{ID: "e8fb37f1-102d-461e-9c51-6608a6bb8104", Protocols: []string{"tcp"}, Sources: []Endpoint{{IP: "127.0.0.1", Port: 65001}}},
		{ID: "e8fb37f1-102d-461e-9c51-6608a6bb8105", Protocols: []string{"tcp"}, Sources: []Endpoint{{IP: "127.0.0.2", Port: 65300}, {IP: "127.168.0.0/16", Port: 65301}}},
	}
}

func TestStreamSources(t *testing.T) {
	r := mustStream(t, endpointsCase())
	for _, tt := range []struct{ name, src, want string }{
		{"ip", "127.0.0.1:1", "e8fb37f1-102d-461e-9c51-6608a6bb8101"},
		{"port", "127.0.0.3:65001", "e8fb37f1-102d-461e-9c51-6608a6bb8102"},
		// 127.168.0.0/8 is 127.0.0.0/8 once masked, as Kong writes it.
		{"range", "127.168.0.1:1", "e8fb37f1-102d-461e-9c51-6608a6bb8103"},
		{"ip and port", "127.0.0.1:65001", "e8fb37f1-102d-461e-9c51-6608a6bb8104"},
		{"range and port", "127.168.10.1:65301", "e8fb37f1-102d-461e-9c51-6608a6bb8105"},
		{"no match", "10.0.0.1:1", ""},
		{"no match with port", "10.0.0.2:65301", ""},
		{"ipv4-mapped client", "[::ffff:127.0.0.1]:1", "e8fb37f1-102d-461e-9c51-6608a6bb8101"},
	} {
		checkStream(t, r, tt.name, streamReq(tt.src, ""), tt.want)
	}
}

func TestStreamDestinations(t *testing.T) {
	routes := endpointsCase()
	for i := range routes {
		routes[i].Sources, routes[i].Destinations = nil, routes[i].Sources
	}
	r := mustStream(t, routes)
	for _, tt := range []struct{ name, dst, want string }{
		{"ip", "127.0.0.1:1", "e8fb37f1-102d-461e-9c51-6608a6bb8101"},
		{"port", "127.0.0.3:65001", "e8fb37f1-102d-461e-9c51-6608a6bb8102"},
		{"range", "127.168.0.1:1", "e8fb37f1-102d-461e-9c51-6608a6bb8103"},
		{"ip and port", "127.0.0.1:65001", "e8fb37f1-102d-461e-9c51-6608a6bb8104"},
		{"range and port", "127.168.10.1:65301", "e8fb37f1-102d-461e-9c51-6608a6bb8105"},
		{"no match", "10.0.0.1:1", ""},
	} {
		checkStream(t, r, tt.name, streamReq("", tt.dst), tt.want)
	}
}

// TestStreamPriority: an SNI route beats sources or destinations alone,
// sources and destinations together beat an SNI, and per side an exact
// IP beats a port, which beats a range; equal priorities go to the
// higher id.
func TestStreamPriority(t *testing.T) {
	sni := Route{ID: "e8fb37f1-102d-461e-9c51-6608a6bb8101", Protocols: []string{"tls"}, SNIs: []string{"www.example.org"}}
	src := Route{ID: "e8fb37f1-102d-461e-9c51-6608a6bb8102", Protocols: []string{"tls"}, Sources: []Endpoint{{IP: "127.0.0.1"}}}
	dst := Route{ID: "e8fb37f1-102d-461e-9c51-6608a6bb8103", Protocols: []string{"tls"}, Destinations: []Endpoint{{IP: "172.168.0.1"}}}
	both := Route{ID: "e8fb37f1-102d-461e-9c51-6608a6bb8104", Protocols: []string{"tls"},
		Sources: []Endpoint{{IP: "127.0.0.1"}}, Destinations: []Endpoint{{IP: "172.168.0.1"}}}

	req := streamReq("127.0.0.1:5000", "172.168.0.1:9000")
	req.TLS, req.SNI = true, "www.example.org"
	checkStream(t, mustStream(t, []Route{src, dst, sni}), "sni over src and dst", req, sni.ID)
	checkStream(t, mustStream(t, []Route{sni, both}), "src+dst over sni", req, both.ID)

	exact := Route{ID: "00000000-0000-4000-8000-000000000001", Protocols: []string{"tcp"}, Sources: []Endpoint{{IP: "127.0.0.1"}}}
	port := Route{ID: "00000000-0000-4000-8000-000000000002", Protocols: []string{"tcp"}, Sources: []Endpoint{{Port: 5000}}}
	cidr := Route{ID: "00000000-0000-4000-8000-000000000003", Protocols: []string{"tcp"}, Sources: []Endpoint{{IP: "127.0.0.0/8"}}}
	r := mustStream(t, []Route{cidr, port, exact})
	checkStream(t, r, "exact ip first", streamReq("127.0.0.1:5000", ""), exact.ID)
	checkStream(t, r, "port before range", streamReq("127.0.0.2:5000", ""), port.ID)
	checkStream(t, r, "range last", streamReq("127.0.0.2:5001", ""), cidr.ID)

	sources := Route{ID: "00000000-0000-4000-8000-000000000004", Protocols: []string{"tcp"}, Sources: []Endpoint{{Port: 5000}}}
	dests := Route{ID: "00000000-0000-4000-8000-000000000005", Protocols: []string{"tcp"}, Destinations: []Endpoint{{IP: "127.0.0.9"}}}
	checkStream(t, mustStream(t, []Route{dests, sources}), "sources weigh more than destinations",
		streamReq("127.0.0.1:5000", "127.0.0.9:1"), sources.ID)

	twin := port
	twin.ID = "00000000-0000-4000-8000-0000000000ff"
	checkStream(t, mustStream(t, []Route{port, twin}), "tie: higher id", streamReq("127.0.0.2:5000", ""), twin.ID)
}

// TestStreamSNIs: SNIs constrain TLS connections only (Kong's
// net.protocol != "tls" || tls.sni ...), with wildcards and without the
// trailing dot; an empty SNI read from a handshake matches no SNI route.
func TestStreamSNIs(t *testing.T) {
	r := mustStream(t, []Route{
		{ID: "00000000-0000-4000-8000-000000000001", Protocols: []string{"tls_passthrough"}, SNIs: []string{"www.example.com."}},
		{ID: "00000000-0000-4000-8000-000000000002", Protocols: []string{"tls"}, SNIs: []string{"*.example.org"}},
		{ID: "00000000-0000-4000-8000-000000000003", Protocols: []string{"tls"}, SNIs: []string{"example.*"}},
		{ID: "00000000-0000-4000-8000-000000000004", Protocols: []string{"tcp"}, Destinations: []Endpoint{{Port: 9000}}},
	})
	tlsReq := func(sni string) *StreamRequest {
		req := streamReq("127.0.0.1:1", "127.0.0.1:9000")
		req.TLS, req.SNI = true, sni
		return req
	}
	checkStream(t, r, "exact", tlsReq("www.example.com"), "00000000-0000-4000-8000-000000000001")
	checkStream(t, r, "suffix", tlsReq("a.b.example.org"), "00000000-0000-4000-8000-000000000002")
	checkStream(t, r, "prefix", tlsReq("example.net"), "00000000-0000-4000-8000-000000000003")
	checkStream(t, r, "other name: the tcp route", tlsReq("other.test"), "00000000-0000-4000-8000-000000000004")
	checkStream(t, r, "no SNI in the hello", tlsReq(""), "00000000-0000-4000-8000-000000000004")
	// Not TLS: every SNI condition holds; the highest priority wins.
	checkStream(t, r, "plain tcp", streamReq("127.0.0.1:1", "127.0.0.1:9000"), "00000000-0000-4000-8000-000000000003")
	checkStream(t, r, "invalid utf-8", tlsReq("www.example.com\xff"), "")
}

func TestStreamRouterSkipsHTTPAndBadRoutes(t *testing.T) {
	r, err := NewStream([]Route{
		{ID: "00000000-0000-4000-8000-000000000001", Protocols: []string{"http"}, Paths: []string{"/"}},
		{ID: "00000000-0000-4000-8000-000000000002", Hosts: []string{"a.test"}},
		{ID: "00000000-0000-4000-8000-000000000003", Protocols: []string{"tcp"}, Sources: []Endpoint{{IP: "not-an-ip"}}},
		{ID: "not-a-uuid", Protocols: []string{"udp"}, Sources: []Endpoint{{Port: 1}}},
		{ID: "00000000-0000-4000-8000-000000000004", Protocols: []string{"udp"}, Sources: []Endpoint{{Port: 1}}},
		{ID: "00000000-0000-4000-8000-000000000004", Protocols: []string{"tcp"}, Sources: []Endpoint{{Port: 2}}},
	})
	if err == nil || !strings.Contains(err.Error(), "route 00000000-0000-4000-8000-000000000003: invalid ip in sources") ||
		!strings.Contains(err.Error(), "route not-a-uuid") || !strings.Contains(err.Error(), "duplicate id") {
		t.Errorf("errors: %v", err)
	}
	if r.Len() != 1 {
		t.Errorf("%d stream routes, want the one valid udp route", r.Len())
	}
	// Protocols are not matched: a udp route serves a TCP connection too.
	checkStream(t, r, "udp route", streamReq("127.0.0.1:1", ""), "00000000-0000-4000-8000-000000000004")
}

func TestStreamMatchAllocs(t *testing.T) {
	var routes []Route
	for i := range 50 {
		routes = append(routes, Route{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Protocols: []string{"tcp"},
			Sources: []Endpoint{{IP: "10.0.0.0/8", Port: 1000 + i}}})
	}
	r := mustStream(t, routes)
	req := streamReq("10.1.2.3:1049", "127.0.0.1:9000")
	if n := testing.AllocsPerRun(100, func() { r.Match(req) }); n != 0 {
		t.Errorf("Match allocates %.0f times", n)
	}
}

func BenchmarkStreamMatch(b *testing.B) {
	var routes []Route
	for i := range 100 {
		routes = append(routes, Route{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Protocols: []string{"tcp"},
			Sources: []Endpoint{{IP: "10.0.0.0/8", Port: 1000 + i}}})
	}
	r, _ := NewStream(routes)
	req := streamReq("10.1.2.3:1000", "127.0.0.1:9000") // the last route tried
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := r.Match(req); !ok {
			b.Fatal("no match")
		}
	}
}
