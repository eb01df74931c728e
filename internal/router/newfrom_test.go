package router

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"
)

// TestNewFromMatchesNew applies random route changes one after the other
// and checks that the Router NewFrom builds from the one before matches
// every request exactly like a Router New builds from scratch, with the
// new payloads.
func TestNewFromMatchesNew(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 10000))
	pick := func(vals ...[]string) []string { return vals[rng.IntN(len(vals))] }
	randomRoute := func(n int) Route {
		rt := Route{
			ID:            id(n),
			Methods:       pick(nil, []string{"GET"}, []string{"POST", "GET"}),
			Hosts:         pick(nil, []string{}, []string{"a.com"}, []string{"*.a.com"}, []string{"b.*", "a.com:8000"}),
			Paths:         pick(nil, []string{"/"}, []string{"/a"}, []string{"/a", "/ab"}, []string{"~/a/(?<n>\\d+)$"}, []string{"~/b", "/b/c"}, []string{"~/a["}),
			SNIs:          pick(nil, []string{"a.com"}),
			RegexPriority: rng.IntN(3),
			StripPath:     rng.IntN(2) == 0,
			Payload:       rng.Int(),
		}
		switch rng.IntN(8) {
		case 0:
			rt.Headers = map[string][]string{"x-v": {"1", "~*^t"}}
		case 1:
			rt.Protocols = []string{"tcp"}
		case 2:
			rt.Headers = map[string][]string{"x-v": {}}
		}
		return rt
	}
	var reqs []*Request
	for _, m := range []string{"GET", "POST"} {
		for _, host := range []string{"", "a.com", "x.a.com", "b.org", "a.com:8000"} {
			for _, path := range []string{"/", "/a", "/ab", "/a/12", "/b", "/b/c", "/c"} {
				for _, v := range []string{"", "1", "tx"} {
					req := &Request{Method: m, Host: host, Path: path, Scheme: "https", SNI: "a.com", Port: 8000}
					if v != "" {
						req.Headers = http.Header{"X-V": {v}}
					}
					reqs = append(reqs, req)
				}
			}
		}
	}

	var routes []Route
	for n := range 20 {
		routes = append(routes, randomRoute(n))
	}
	var r *Router
	for step := range 2000 {
		routes = append([]Route(nil), routes...) // the previous slice stays as it was
		switch k := rng.IntN(len(routes)); rng.IntN(6) {
		case 0: // a new value for a route, same id
			routes[k] = randomRoute(k)
		case 1: // a new payload only
			routes[k].Payload = rng.Int()
		case 2: // equal values in new slices
			routes[k].Paths = append([]string(nil), routes[k].Paths...)
			routes[k].RegexPriority = rng.IntN(3)
		case 3: // removed
			routes = append(routes[:k], routes[k+1:]...)
		case 4: // added, sometimes with the id of another route
			routes = append(routes, randomRoute(rng.IntN(len(routes)+5)))
		case 5: // order changed
			rng.Shuffle(len(routes), func(i, j int) { routes[i], routes[j] = routes[j], routes[i] })
		}
		var errNext, errFresh error
		r, errNext = NewFrom(r, routes)
		fresh, errFresh := New(routes)
		if fmt.Sprint(errNext) != fmt.Sprint(errFresh) {
			t.Fatalf("step %d: NewFrom error %v, New error %v", step, errNext, errFresh)
		}
		for _, req := range reqs {
			got, gotOK := r.Match(req)
			want, wantOK := fresh.Match(req)
			if gotOK != wantOK || describe(got) != describe(want) {
				t.Fatalf("step %d: %+v: NewFrom matched %v %s, New %v %s",
					step, req, gotOK, describe(got), wantOK, describe(want))
			}
		}
	}
}

// describe renders what a Match tells the proxy.
func describe(m Match) string {
	if m.Route == nil {
		return "no route"
	}
	c := m.Captures
	var re string
	if c.re != nil {
		re = c.re.String()
	}
	return fmt.Sprintf("%s payload=%v strip=%v path=%q prefix=%q captures=%q %v %q",
		m.Route.ID, m.Route.Payload, m.Route.StripPath, m.Path, m.MatchedPrefix, c.subject, c.loc, re)
}
