package router

import (
	"fmt"
	"net/http"
	"testing"
)

// id is the route id Kong's router spec uses, numbered: id(1) is
// "e8fb37f1-102d-461e-9c51-6608a6bb8101".
func id(n int) string { return fmt.Sprintf("e8fb37f1-102d-461e-9c51-6608a6bb81%02d", n) }

// hdr builds request headers from name, value pairs.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func mustNew(t testing.TB, routes []Route) *Router {
	t.Helper()
	r, err := New(routes)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

func mustMatch(t testing.TB, routes []Route, req *Request) Match {
	t.Helper()
	m, ok := mustNew(t, routes).Match(req)
	if !ok {
		t.Fatalf("no match for %+v", req)
	}
	return m
}

// selectCase is one request and the id of the route it must match ("" for
// no match).
type selectCase struct {
	name string
	req  Request
	want string
}

func runSelect(t *testing.T, routes []Route, cases []selectCase) {
	t.Helper()
	r := mustNew(t, routes)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := tc.req
			if req.Method == "" {
				req.Method = "GET"
			}
			if req.Path == "" {
				req.Path = "/"
			}
			if req.Scheme == "" {
				req.Scheme = "http"
			}
			if req.Port == 0 {
				req.Port = 80
			}
			got := ""
			if m, ok := r.Match(&req); ok {
				got = m.Route.ID
			}
			if got != tc.want {
				t.Errorf("matched %q, want %q", got, tc.want)
			}
		})
	}
}

// TestSelectUseCases is the shared use case of Kong's select() spec.
func TestSelectUseCases(t *testing.T) {
	t.Parallel()
	routes := []Route{
		{ID: id(1), Hosts: []string{"domain-1.org", "domain-2.org"}},
		{ID: id(2), Methods: []string{"TRACE"}},
		{ID: id(3), Paths: []string{"/my-route"}},
		{ID: id(4), Paths: []string{"/route-4"}, Hosts: []string{"domain-1.org", "domain-2.org"}},
		{ID: id(5), Hosts: []string{"domain-1.org", "domain-2.org"}, Methods: []string{"POST", "PUT", "PATCH"}},
		{ID: id(6), Methods: []string{"POST", "PUT", "PATCH"}, Paths: []string{"/route-6"}},
		{ID: id(7), Hosts: []string{"domain-with-uri-1.org", "domain-with-uri-2.org"}, Methods: []string{"POST", "PUT", "PATCH"}, Paths: []string{"/my-route-uri"}},
		{ID: id(8), Paths: []string{"/serviceless"}},
		{ID: id(9), Headers: map[string][]string{"location": {"my-location-1", "my-location-2"}}},
		{ID: id(10), Headers: map[string][]string{"location": {"my-location-1"}, "version": {"v1", "v2"}}},
		{ID: id(11), Headers: map[string][]string{"location": {"my-location-1", "my-location-2"}}, Paths: []string{"/headers-uri"}},
		{ID: id(12), Hosts: []string{"domain-with-headers-1.org", "domain-with-headers-2.org"},
			Headers: map[string][]string{"location": {"my-location-1", "my-location-2"}},
			Methods: []string{"POST", "PUT", "PATCH"}, Paths: []string{"/headers-host-uri-method"}},
		{ID: id(13), Hosts: []string{"domain-1.org:321", "domain-2.org"}},
		{ID: id(14), Hosts: []string{"domain-3.org:321"}},
		{ID: id(15), Headers: map[string][]string{"user_agent": {`~*windows|linux|os\s+x\s*[\d\._]+|solaris|bsd`}}},
	}
	runSelect(t, routes, []selectCase{
		{"host", Request{Host: "domain-1.org"}, id(1)},
		{"host ignores default port", Request{Host: "domain-1.org:80"}, id(1)},
		// Both routes have the same priority; the higher id wins.
		{"host matches specific port", Request{Host: "domain-1.org:321"}, id(13)},
		{"specific port on port-only route", Request{Host: "domain-3.org:321"}, id(14)},
		{"port-only route fails on another port", Request{Host: "domain-3.org:123"}, ""},
		{"port from listener when Host has none", Request{Host: "domain-3.org", Port: 321}, id(14)},
		{"uri", Request{Path: "/my-route", Host: "domain.org"}, id(3)},
		{"uri prefix", Request{Path: "/my-route/some/path", Host: "domain.org"}, id(3)},
		{"uri without Host", Request{Path: "/my-route-uri"}, id(3)},
		{"method", Request{Method: "TRACE", Host: "domain.org"}, id(2)},
		{"host + uri", Request{Path: "/route-4", Host: "domain-1.org"}, id(4)},
		{"host + uri, other host", Request{Path: "/route-4", Host: "domain-2.org"}, id(4)},
		{"host + method", Request{Method: "POST", Host: "domain-1.org"}, id(5)},
		{"uri + method", Request{Method: "POST", Path: "/route-6"}, id(6)},
		{"host + uri + method", Request{Method: "PUT", Path: "/my-route-uri", Host: "domain-with-uri-2.org"}, id(7)},
		{"serviceless", Request{Path: "/serviceless"}, id(8)},
		{"single header value", Request{Headers: hdr("Location", "my-location-1")}, id(9)},
		{"single header second value", Request{Headers: hdr("Location", "my-location-2")}, id(9)},
		{"any header line", Request{Headers: hdr("Location", "my-location-3", "Location", "my-location-2")}, id(9)},
		{"header value mismatch", Request{Headers: hdr("Location", "my-location-3")}, ""},
		{"no header line matches", Request{Headers: hdr("Location", "my-location-3", "Location", "foo")}, ""},
		{"header regex", Request{Headers: hdr("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/83.0.4103.116 Safari/537.36")}, id(15)},
		{"multiple headers", Request{Headers: hdr("Location", "my-location-1", "Version", "v1")}, id(10)},
		{"multiple headers second value", Request{Headers: hdr("Location", "my-location-1", "Version", "v2")}, id(10)},
		{"multiple headers any line", Request{Headers: hdr("Location", "my-location-3", "Location", "my-location-1", "Version", "v2")}, id(10)},
		{"multiple headers fall back to fewer", Request{Headers: hdr("Location", "my-location-3", "Location", "my-location-2", "Version", "v2")}, id(9)},
		{"headers + uri", Request{Path: "/headers-uri", Headers: hdr("Location", "my-location-2")}, id(11)},
		{"host + headers + uri + method", Request{Method: "PUT", Path: "/headers-host-uri-method", Host: "domain-with-headers-1.org", Headers: hdr("Location", "my-location-2")}, id(12)},
		{"miss: invalid host", Request{Host: "domain-4.org"}, ""},
		{"miss: invalid method", Request{Method: "GET", Path: "/route-6"}, ""},
		{"miss: uri not a prefix", Request{Path: "/some/my-route"}, ""},
	})
}

func TestSelectPriority(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		routes []Route
		cases  []selectCase
	}{{
		name: "host and uri have higher priority than method",
		routes: []Route{
			{ID: id(1), Hosts: []string{"domain-1.org", "domain-2.org"}},
			{ID: id(2), Methods: []string{"TRACE"}},
			{ID: id(3), Paths: []string{"/my-route"}},
		},
		cases: []selectCase{
			{"plain host beats method", Request{Method: "TRACE", Host: "domain-2.org"}, id(1)},
			{"uri beats method", Request{Method: "TRACE", Path: "/my-route", Host: "domain.org"}, id(3)},
		},
	}, {
		name: "more fields win",
		routes: []Route{
			{ID: id(9), Hosts: []string{"a.test"}},
			{ID: id(1), Hosts: []string{"*.test"}, Paths: []string{"/a"}},
			{ID: id(2), Hosts: []string{"*.test"}, Paths: []string{"/a"}, Methods: []string{"GET"}},
		},
		cases: []selectCase{
			{"three fields beat two", Request{Host: "a.test", Path: "/a"}, id(2)},
			{"two fields beat a plain host", Request{Method: "POST", Host: "a.test", Path: "/a"}, id(1)},
			{"plain host alone", Request{Method: "POST", Host: "a.test", Path: "/b"}, id(9)},
		},
	}, {
		name: "half host and uri match does not supersede",
		routes: []Route{
			{ID: id(1), Hosts: []string{"host1.com"}, Paths: []string{"/v1/path"}},
			{ID: id(2), Hosts: []string{"host2.com"}, Paths: []string{"/"}},
		},
		cases: []selectCase{
			{"host1", Request{Path: "/v1/path", Host: "host1.com"}, id(1)},
			{"host2", Request{Path: "/v1/path", Host: "host2.com"}, id(2)},
		},
	}, {
		name: "half wildcard host and method match does not supersede",
		routes: []Route{
			{ID: id(1), Hosts: []string{"host.*"}, Methods: []string{"GET"}},
			{ID: id(2), Hosts: []string{"host.*"}, Methods: []string{"POST"}},
		},
		cases: []selectCase{
			{"GET", Request{Method: "GET", Host: "host.com"}, id(1)},
			{"POST", Request{Method: "POST", Host: "host.com"}, id(2)},
		},
	}, {
		name: "half regex and method match does not supersede",
		routes: []Route{
			{ID: id(1), Methods: []string{"GET"}, Paths: []string{`~/users/\d+/profile`}},
			{ID: id(2), Methods: []string{"POST"}, Paths: []string{`~/users/\d*/profile`}},
		},
		cases: []selectCase{
			{"GET", Request{Method: "GET", Path: "/users/123/profile"}, id(1)},
			{"POST", Request{Method: "POST", Path: "/users/123/profile"}, id(2)},
		},
	}, {
		name: "method does not supersede prefix or wildcard host",
		routes: []Route{
			{ID: id(1), Methods: []string{"GET"}},
			{ID: id(2), Paths: []string{"/example"}},
			{ID: id(3), Hosts: []string{"domain.*"}},
		},
		cases: []selectCase{
			{"prefix, same priority, higher id", Request{Path: "/example"}, id(2)},
			{"prefix", Request{Path: "/example/status/200", Host: "nothing.com"}, id(2)},
			{"method only", Request{Host: "nothing.com"}, id(1)},
			{"wildcard host, higher id", Request{Host: "domain.com"}, id(3)},
		},
	}, {
		name: "root path is a catch-all",
		routes: []Route{
			{ID: id(15), Paths: []string{"/"}},
			{ID: id(3), Paths: []string{"/my-route"}},
		},
		cases: []selectCase{
			{"root", Request{Path: "/"}, id(15)},
			{"longer prefix", Request{Path: "/my-route/hello/world"}, id(3)},
			{"catch-all", Request{Path: "/foobar/baz"}, id(15)},
		},
	}, {
		name: "longest prefix",
		routes: []Route{
			{ID: id(1), Paths: []string{"/my-route/hello"}},
			{ID: id(2), Paths: []string{"/my-route"}},
		},
		cases: []selectCase{
			{"longer", Request{Path: "/my-route/hello"}, id(1)},
			{"longer, deeper", Request{Path: "/my-route/hello/world"}, id(1)},
			{"shorter", Request{Path: "/my-route"}, id(2)},
			{"shorter, deeper", Request{Path: "/my-route/world"}, id(2)},
		},
	}, {
		name: "longest prefix with methods",
		routes: []Route{
			{ID: id(1), Methods: []string{"POST", "PUT", "GET"}, Paths: []string{"/my-route"}},
			{ID: id(2), Methods: []string{"POST", "PUT", "GET"}, Paths: []string{"/my-route/hello"}},
		},
		cases: []selectCase{
			{"longer", Request{Path: "/my-route/hello/world"}, id(2)},
			{"shorter", Request{Path: "/my-route/world"}, id(1)},
		},
	}, {
		name: "a better prefix of another host does not count",
		routes: []Route{
			{ID: id(1), Hosts: []string{"example.com"}, Paths: []string{"/my-route"}},
			{ID: id(2), Hosts: []string{"example.com"}, Paths: []string{"/my-route/hello"}},
			{ID: id(3), Hosts: []string{"example.net"}, Paths: []string{"/my-route/hello/world"}},
		},
		cases: []selectCase{
			{"exact", Request{Path: "/my-route/hello/world", Host: "example.com"}, id(2)},
			{"deeper", Request{Path: "/my-route/hello/world/and/goodnight", Host: "example.com"}, id(2)},
		},
	}, {
		name: "prefixes are anchored",
		routes: []Route{
			{ID: id(1), Paths: []string{"/something/my-route"}},
			{ID: id(2), Hosts: []string{"example.com"}, Paths: []string{"/my-route"}},
		},
		cases: []selectCase{{"anchored", Request{Path: "/something/my-route", Host: "example.com"}, id(1)}},
	}, {
		name:   "prefix without segment boundary",
		routes: []Route{{ID: id(1), Paths: []string{"/foo"}}},
		cases: []selectCase{
			{"foobar", Request{Path: "/foobar"}, id(1)},
			{"case-sensitive", Request{Path: "/FOO"}, ""},
		},
	}, {
		name: "regex beats prefix",
		routes: []Route{
			{ID: id(1), Paths: []string{"/route/persons"}},
			{ID: id(2), Paths: []string{`~/route/persons/\d+/profile`}},
			{ID: id(3), Paths: []string{"/route/fixture"}},
			{ID: id(4), Paths: []string{"~/route/(fixture)"}},
		},
		cases: []selectCase{
			{"regex over prefix", Request{Path: "/route/persons/123/profile"}, id(2)},
			{"regex over exact prefix", Request{Path: "/route/fixture"}, id(4)},
			{"prefix when regex misses", Request{Path: "/route/persons/abc"}, id(1)},
		},
	}, {
		name: "regex + host beats prefix + host",
		routes: []Route{
			{ID: id(1), Hosts: []string{"route.com"}, Paths: []string{"/pat"}},
			{ID: id(2), Hosts: []string{"route.com"}, Paths: []string{"/path"}, Methods: []string{"POST"}},
			{ID: id(3), Hosts: []string{"route.com"}, Paths: []string{"~/(path)"}},
		},
		cases: []selectCase{
			{"regex", Request{Path: "/path", Host: "route.com"}, id(3)},
			{"more fields", Request{Method: "POST", Path: "/path", Host: "route.com"}, id(2)},
		},
	}, {
		name: "regexes are anchored at the start only",
		routes: []Route{
			{ID: id(1), Paths: []string{`~/users/\d+/profile`}},
			{ID: id(2), Paths: []string{`~/route/persons/\d{3}`}},
			{ID: id(3), Paths: []string{`~/route/persons/\d{3}/following`}},
			{ID: id(4), Paths: []string{`~/route/persons/\d{3}/[a-z]+`}},
		},
		cases: []selectCase{
			{"not in the middle", Request{Path: "/api/users/1/profile"}, ""},
			{"open end", Request{Path: "/users/1/profile/photo"}, id(1)},
			{"several regexes", Request{Path: "/route/persons/456"}, id(2)},
			// Equal priority: the highest id that matches wins.
			{"several regexes matching", Request{Path: "/route/persons/456/following"}, id(4)},
		},
	}, {
		name: "regex_priority",
		routes: []Route{
			{ID: id(1), Paths: []string{`~/status/\d{3}`}, RegexPriority: 0},
			{ID: id(2), Paths: []string{`~/status/(re)`}, RegexPriority: 4},
			{ID: id(3), Paths: []string{`~/status/r`}, RegexPriority: 5},
			{ID: id(4), Paths: []string{`~/status/200`}, RegexPriority: -1},
			{ID: id(5), Paths: []string{"/status/200/long/prefix"}},
		},
		cases: []selectCase{
			{"higher regex_priority", Request{Path: "/status/re"}, id(3)},
			// Kong shifts the int as 64-bit two's complement: -1 fills the
			// bits from 19 up and outranks everything else.
			{"negative regex_priority outranks all", Request{Path: "/status/200/long/prefix"}, id(4)},
			{"zero", Request{Path: "/status/201"}, id(1)},
		},
	}, {
		name: "more headers beat a longer path",
		routes: []Route{
			{ID: id(1), Headers: map[string][]string{"version": {"v1"}}, Paths: []string{"/my-route/hello"}},
			{ID: id(2), Headers: map[string][]string{"version": {"v1"}, "location": {"us-east"}}, Paths: []string{"/my-route"}},
		},
		cases: []selectCase{
			{"more headers", Request{Path: "/my-route/hello", Headers: hdr("Version", "v1", "Location", "us-east")}, id(2)},
			{"deeper", Request{Path: "/my-route/hello/world", Headers: hdr("Version", "v1", "Location", "us-east")}, id(2)},
			{"fewer headers present", Request{Path: "/my-route/hello", Headers: hdr("Version", "v1")}, id(1)},
		},
	}, {
		name: "more headers first",
		routes: []Route{
			{ID: id(1), Headers: map[string][]string{"version": {"v1", "v2"}, "user_agent": {"foo", "bar"}}},
			{ID: id(2), Headers: map[string][]string{"version": {"v1", "v2"}, "user_agent": {"foo", "bar"}, "location": {"east", "west"}}},
		},
		cases: []selectCase{{"three headers", Request{Headers: hdr("Version", "v1", "User-Agent", "foo", "Location", "north", "Location", "west")}, id(2)}},
	}, {
		name: "plain host beats wildcard host",
		routes: []Route{
			{ID: id(9), Hosts: []string{"*.route.com"}, Paths: []string{"/x"}},
			{ID: id(1), Hosts: []string{"plain.route.com"}, Paths: []string{"/x"}},
			{ID: id(2), Hosts: []string{"*.route.com"}, Paths: []string{"/path1"}},
			{ID: id(3), Hosts: []string{"plain.route.com"}, Paths: []string{"/path2"}},
		},
		cases: []selectCase{
			{"plain over wildcard", Request{Path: "/x", Host: "plain.route.com"}, id(1)},
			{"wildcard + path when plain's path misses", Request{Path: "/path1", Host: "plain.route.com"}, id(2)},
			{"plain + path", Request{Path: "/path2", Host: "plain.route.com"}, id(3)},
			{"wildcard", Request{Path: "/x", Host: "foo.route.com"}, id(9)},
		},
	}, {
		name: "plain host beats wildcard even with a longer path",
		routes: []Route{
			{ID: id(1), Hosts: []string{"*.route.com"}, Paths: []string{"/long/path"}},
			{ID: id(2), Hosts: []string{"plain.route.com"}, Paths: []string{"/"}},
		},
		cases: []selectCase{{"plain", Request{Path: "/long/path", Host: "plain.route.com"}, id(2)}},
	}, {
		name: "regex beats prefix regardless of length, after headers",
		routes: []Route{
			{ID: id(1), Paths: []string{"/a/very/long/prefix/path"}},
			{ID: id(2), Paths: []string{"~/a"}},
			{ID: id(3), Paths: []string{"/a"}, Headers: map[string][]string{"x": {"1"}}},
		},
		cases: []selectCase{
			{"regex", Request{Path: "/a/very/long/prefix/path"}, id(2)},
			{"more fields", Request{Path: "/a/very/long/prefix/path", Headers: hdr("X", "1")}, id(3)},
		},
	}, {
		name: "id tie-break, higher first",
		routes: []Route{
			{ID: "00000000-0000-4000-8000-000000000001", Paths: []string{"/same"}},
			{ID: "ffffffff-0000-4000-8000-000000000000", Paths: []string{"/same"}},
			{ID: "80000000-0000-4000-8000-000000000000", Paths: []string{"/same"}},
		},
		cases: []selectCase{{"highest id", Request{Path: "/same"}, "ffffffff-0000-4000-8000-000000000000"}},
	}, {
		name: "multiple routes of the same category with conflicting values",
		routes: []Route{
			{ID: id(11), Hosts: []string{"domain.org"}, Paths: []string{"/my-uri"}},
			{ID: id(12), Hosts: []string{"domain.org"}, Paths: []string{"/my-uri"}},
			{ID: id(13), Hosts: []string{"domain.org"}, Paths: []string{"/my-uri"}},
			{ID: id(21), Hosts: []string{"domain.org"}, Paths: []string{"/my-target-uri"}},
		},
		cases: []selectCase{{"target", Request{Path: "/my-target-uri", Host: "domain.org"}, id(21)}},
	}, {
		// Kong splits "/a" and "/bbbbbbb" into two sub-routes, so the
		// longer "/a/bb" of another route wins.
		name: "split paths",
		routes: []Route{
			{ID: id(1), Paths: []string{"/a", "/bbbbbbb"}},
			{ID: id(2), Paths: []string{"/a/bb"}},
		},
		cases: []selectCase{
			{"longer prefix of another route", Request{Path: "/a/bb/foobar"}, id(2)},
			{"short group", Request{Path: "/a/b"}, id(1)},
			{"long group", Request{Path: "/bbbbbbbb"}, id(1)},
		},
	}, {
		name: "split regex and prefix paths",
		routes: []Route{
			{ID: id(1), Paths: []string{"/users", `~/users/\d+$`}},
			{ID: id(2), Paths: []string{"/users/me"}},
			{ID: id(3), Paths: []string{`~/users/m`}},
		},
		cases: []selectCase{
			{"regex group", Request{Path: "/users/42"}, id(1)},
			{"a regex of another route beats both prefixes", Request{Path: "/users/mex"}, id(3)},
			{"prefix group", Request{Path: "/users/x"}, id(1)},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runSelect(t, tt.routes, tt.cases)
		})
	}
}

func TestSelectHosts(t *testing.T) {
	t.Parallel()
	routes := []Route{
		{ID: id(1), Hosts: []string{"*.route.com"}},
		{ID: id(2), Hosts: []string{"route.*"}},
		{ID: id(3), Hosts: []string{"*.route.net:123"}},
		{ID: id(4), Hosts: []string{"route.*:123"}},
		{ID: id(5), Hosts: []string{"route.*:80"}},
		{ID: id(6), Hosts: []string{"plain.route.com"}},
		{ID: id(7), Hosts: []string{"route.com"}},
		{ID: id(8), Hosts: []string{"Upper.Case.test"}},
		{ID: id(9), Hosts: []string{"[::1]"}},
	}
	runSelect(t, routes, []selectCase{
		{"leftmost wildcard", Request{Host: "foo.route.com"}, id(1)},
		{"leftmost wildcard, any depth", Request{Host: "a.b.c.route.com"}, id(1)},
		{"leftmost wildcard, any port", Request{Host: "foo.route.com:123"}, id(1)},
		{"leftmost wildcard needs a label", Request{Host: "xroute.com", Port: 8000}, ""},
		{"rightmost wildcard", Request{Host: "route.org", Port: 8000}, id(2)},
		{"rightmost wildcard, any depth", Request{Host: "route.co.uk", Port: 8000}, id(2)},
		{"wildcard with port", Request{Host: "foo.route.net:123"}, id(3)},
		{"wildcard with other port", Request{Host: "foo.route.net:456"}, ""},
		// Same priority: the port-specific routes have higher ids here.
		{"port-specific", Request{Host: "route.org:123"}, id(4)},
		{"listening port", Request{Host: "route.org", Port: 80}, id(5)},
		{"explicit default port", Request{Host: "route.org:80", Port: 8000}, id(5)},
		{"plain over wildcard", Request{Host: "plain.route.com"}, id(6)},
		{"plain over rightmost wildcard", Request{Host: "route.com"}, id(7)},
		{"case-sensitive", Request{Host: "upper.case.test"}, ""},
		{"case-sensitive exact", Request{Host: "Upper.Case.test"}, id(8)},
		{"ipv6 literal", Request{Host: "[::1]"}, id(9)},
		{"ipv6 literal with port is not split", Request{Host: "[::1]:80"}, ""},
		{"empty port is part of the host", Request{Host: "plain.route.com:"}, ""},
		{"no host", Request{}, ""},
	})
}

func TestSelectSNIs(t *testing.T) {
	t.Parallel()
	routes := []Route{
		{ID: id(1), SNIs: []string{"www.example.org"}, Paths: []string{"/sni"}},
		{ID: id(2), SNIs: []string{"*.wild.org"}, Paths: []string{"/sni"}},
		{ID: id(3), SNIs: []string{"wild.*"}, Paths: []string{"/sni"}},
		{ID: id(4), SNIs: []string{"dotted.org."}, Paths: []string{"/sni"}},
		{ID: id(5), Paths: []string{"/sni"}},
	}
	runSelect(t, routes, []selectCase{
		// On plain HTTP the SNI condition holds: all routes with snis have
		// the same priority; the highest id wins.
		{"ignored on http", Request{Path: "/sni"}, id(4)},
		{"exact", Request{Path: "/sni", Scheme: "https", SNI: "www.example.org"}, id(1)},
		{"leftmost wildcard", Request{Path: "/sni", Scheme: "https", SNI: "a.wild.org"}, id(2)},
		{"rightmost wildcard", Request{Path: "/sni", Scheme: "https", SNI: "wild.com"}, id(3)},
		{"trailing dot stripped", Request{Path: "/sni", Scheme: "https", SNI: "dotted.org"}, id(4)},
		{"no sni on https", Request{Path: "/sni", Scheme: "https"}, id(5)},
		{"other sni", Request{Path: "/sni", Scheme: "https", SNI: "other.org"}, id(5)},
	})
}

func TestSelectHeaders(t *testing.T) {
	t.Parallel()
	routes := []Route{
		{ID: id(1), Headers: map[string][]string{"USER_AGENT": {"foo", "bar"}}},
		{ID: id(2), Headers: map[string][]string{"x-Version": {"V1"}}, Paths: []string{"/v"}},
		{ID: id(3), Headers: map[string][]string{"x-re": {`~*^Ver\d+$`}}, Paths: []string{"/re"}},
		{ID: id(4), Headers: map[string][]string{"x-uni": {"é"}}, Paths: []string{"/uni"}},
	}
	runSelect(t, routes, []selectCase{
		{"name case-insensitive, '_' as '-'", Request{Headers: hdr("user-agent", "foo")}, id(1)},
		{"value case-insensitive", Request{Headers: hdr("User-Agent", "BAR")}, id(1)},
		{"route value lower-cased", Request{Path: "/v", Headers: hdr("X-Version", "v1")}, id(2)},
		{"whole value", Request{Path: "/v", Headers: hdr("X-Version", "v1, v2")}, ""},
		// Kong lower-cases the regex source too: "Ver" becomes "ver",
		// which the lower-cased value matches.
		{"regex lower-cased", Request{Path: "/re", Headers: hdr("X-Re", "VER42")}, id(3)},
		{"regex miss", Request{Path: "/re", Headers: hdr("X-Re", "version")}, ""},
		{"unicode lower-casing of the request", Request{Path: "/uni", Headers: hdr("X-Uni", "É")}, id(4)},
		{"no headers", Request{Path: "/v"}, ""},
	})
}

func TestSelectNormalization(t *testing.T) {
	t.Parallel()
	routes := []Route{
		{ID: id(1), Paths: []string{"/foo/bar"}},
		{ID: id(2), Paths: []string{"/hello"}},
		{ID: id(3), Paths: []string{"/plain/a.b"}},
		{ID: id(4), Paths: []string{`~/reg/\d+/[a-z]+$`}},
		{ID: id(5), Paths: []string{"/reserved%2Fslash"}},
	}
	runSelect(t, routes, []selectCase{
		{"dot-dot", Request{Path: "/foo/a/../bar"}, id(1)},
		{"double slash", Request{Path: "/foo//bar"}, id(1)},
		{"dot", Request{Path: "/foo/./bar"}, id(1)},
		{"percent-decoded", Request{Path: "/h%65llo"}, id(2)},
		{"percent-decoded dot", Request{Path: "/plain/a%2Eb"}, id(3)},
		{"regex on decoded path", Request{Path: "/reg/%31%32/%61bc"}, id(4)},
		{"reserved stays encoded", Request{Path: "/reserved%2fslash"}, id(5)},
		{"reserved not decoded", Request{Path: "/reserved/slash"}, ""},
	})
}

// TestSelectInvalidUTF8 pins Kong's behaviour: atc-router refuses a request
// field that is not valid UTF-8, and Kong answers 404.
func TestSelectInvalidUTF8(t *testing.T) {
	t.Parallel()
	routes := []Route{
		{ID: id(1), Paths: []string{"/"}},
		{ID: id(2), Headers: map[string][]string{"x-h": {"v"}}},
	}
	runSelect(t, routes, []selectCase{
		{"raw bytes", Request{Path: "\xfc\x80\x80\x80\x80\xaf"}, ""},
		{"decoded bytes", Request{Path: "/caf%E9"}, ""},
		{"valid utf-8", Request{Path: "/caf%C3%A9"}, id(1)},
		{"header read by a route", Request{Path: "/a", Headers: hdr("X-H", "\xff")}, ""},
		{"header no route reads", Request{Path: "/a", Headers: hdr("X-Other", "\xff")}, id(1)},
	})
}

func TestSelectProtocolsNotMatched(t *testing.T) {
	t.Parallel()
	routes := []Route{
		{ID: id(1), Protocols: []string{"https"}, Paths: []string{"/s"}},
		{ID: id(2), Protocols: []string{"grpc", "grpcs"}, Paths: []string{"/g"}},
		{ID: id(3), Protocols: []string{"tcp"}, SNIs: []string{"x"}},
	}
	runSelect(t, routes, []selectCase{
		{"https route over http", Request{Path: "/s"}, id(1)},
		{"grpc route", Request{Path: "/g", Scheme: "https", SNI: "x"}, id(2)},
		{"stream route left out", Request{Path: "/", Scheme: "https", SNI: "x"}, ""},
	})
}
