package router

import (
	"fmt"
	"net/http"
	"testing"
)

// benchRoutes builds n routes of a mixed configuration: per ten routes,
// four plain host + prefix (200 hosts), two wildcard host + prefix, two
// prefix only, one regex (with a literal prefix) and one host + methods +
// header + prefix.
func benchRoutes(n int) []Route {
	routes := make([]Route, n)
	for i := range routes {
		rt := Route{ID: fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(i)*2654435761, i), StripPath: i%2 == 0}
		switch i % 10 {
		case 0, 1, 2, 3:
			rt.Hosts = []string{fmt.Sprintf("api%d.example.com", i%200)}
			rt.Paths = []string{fmt.Sprintf("/v1/res%d", i)}
		case 4, 5:
			rt.Hosts = []string{fmt.Sprintf("*.tenant%d.example.net", i%100)}
			rt.Paths = []string{fmt.Sprintf("/w%d", i)}
		case 6, 7:
			rt.Paths = []string{fmt.Sprintf("/p%d/items", i)}
		case 8:
			rt.Paths = []string{fmt.Sprintf(`~/r%d/\d+/x`, i)}
		case 9:
			rt.Hosts = []string{fmt.Sprintf("h%d.example.org", i%50)}
			rt.Methods = []string{"GET", "POST"}
			rt.Headers = map[string][]string{"x-version": {fmt.Sprintf("v%d", i%3)}}
			rt.Paths = []string{fmt.Sprintf("/h%d", i)}
		}
		routes[i] = rt
	}
	return routes
}

// benchRequests returns, for n bench routes, requests hitting a route of
// each kind near the middle, and a miss.
func benchRequests(n int) []struct {
	name string
	req  Request
	want int // index of the route to match, -1 for none
} {
	mid := func(kind int) int { return n/2/10*10 + kind }
	type tc = struct {
		name string
		req  Request
		want int
	}
	cases := []tc{{"hit-plain-host", Request{Method: "GET", Host: fmt.Sprintf("api%d.example.com", mid(0)%200), Path: fmt.Sprintf("/v1/res%d/sub/resource", mid(0)), Scheme: "http", Port: 80}, mid(0)}}
	if n >= 10 {
		cases = append(cases,
			tc{"hit-wildcard-host", Request{Method: "GET", Host: fmt.Sprintf("eu.tenant%d.example.net", mid(4)%100), Path: fmt.Sprintf("/w%d", mid(4)), Scheme: "http", Port: 80}, mid(4)},
			tc{"hit-prefix", Request{Method: "GET", Host: "anything.test", Path: fmt.Sprintf("/p%d/items/42", mid(6)), Scheme: "http", Port: 80}, mid(6)},
			tc{"hit-regex", Request{Method: "GET", Host: "anything.test", Path: fmt.Sprintf("/r%d/12345/x", mid(8)), Scheme: "http", Port: 80}, mid(8)},
			tc{"hit-headers", Request{Method: "POST", Host: fmt.Sprintf("h%d.example.org", mid(9)%50), Path: fmt.Sprintf("/h%d", mid(9)),
				Headers: http.Header{"X-Version": {fmt.Sprintf("V%d", mid(9)%3)}}, Scheme: "http", Port: 80}, mid(9)},
		)
	}
	return append(cases, tc{"miss", Request{Method: "GET", Host: "api1.example.com", Path: "/nothing/here", Scheme: "http", Port: 80}, -1})
}

func TestBenchRequests(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 1000} {
		routes := benchRoutes(n)
		r := mustNew(t, routes)
		for _, tc := range benchRequests(n) {
			t.Run(fmt.Sprintf("%d/%s", n, tc.name), func(t *testing.T) {
				m, ok := r.Match(&tc.req)
				switch {
				case tc.want < 0 && ok:
					t.Errorf("matched %s, want none", m.Route.ID)
				case tc.want >= 0 && (!ok || m.Route.ID != routes[tc.want].ID):
					t.Errorf("matched %v, want %s", m.Route, routes[tc.want].ID)
				}
			})
		}
	}
}

// TestMatchAllocs pins the promise that prefix and host routes match
// without allocating.
func TestMatchAllocs(t *testing.T) {
	r := mustNew(t, benchRoutes(1000))
	for _, tc := range benchRequests(1000) {
		if tc.name == "hit-regex" {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(200, func() { r.Match(&tc.req) }); n != 0 {
				t.Errorf("%v allocs per Match, want 0", n)
			}
		})
	}
}

func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{1, 1000, 10000} {
		r, err := New(benchRoutes(n))
		if err != nil {
			b.Fatal(err)
		}
		for _, tc := range benchRequests(n) {
			b.Run(fmt.Sprintf("routes=%d/%s", n, tc.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					r.Match(&tc.req)
				}
			})
		}
	}
}

func BenchmarkNew(b *testing.B) {
	routes := benchRoutes(10000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(routes); err != nil {
			b.Fatal(err)
		}
	}
}
