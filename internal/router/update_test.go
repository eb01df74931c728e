package router

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// randomRoutes makes the random routes and requests of the tests that
// compare routers built in steps with routers built from scratch.
type randomRoutes struct{ rng *rand.Rand }

func (g randomRoutes) pick(vals ...[]string) []string { return vals[g.rng.IntN(len(vals))] }

// route returns a random route with id(n).
func (g randomRoutes) route(n int) Route {
	rt := Route{
		ID:            id(n),
		Methods:       g.pick(nil, []string{"GET"}, []string{"POST", "GET"}),
		Hosts:         g.pick(nil, []string{}, []string{"a.com"}, []string{"*.a.com"}, []string{"b.*", "a.com:8000"}),
		Paths:         g.pick(nil, []string{"/"}, []string{"/a"}, []string{"/a", "/ab"}, []string{"~/a/(?<n>\\d+)$"}, []string{"~/b", "/b/c"}, []string{"~/a["}, []string{"/a/1", "/a/2", "/b/c/d"}),
		SNIs:          g.pick(nil, []string{"a.com"}),
		RegexPriority: g.rng.IntN(3),
		StripPath:     g.rng.IntN(2) == 0,
		Payload:       g.rng.Int(),
	}
	switch g.rng.IntN(8) {
	case 0:
		rt.Headers = map[string][]string{"x-v": {"1", "~*^t"}}
	case 1:
		rt.Protocols = []string{"tcp"}
	case 2:
		rt.Headers = map[string][]string{"x-v": {}}
	}
	return rt
}

// requests returns requests for every combination of the values the
// random routes match on.
func (randomRoutes) requests() []*Request {
	var reqs []*Request
	for _, m := range []string{"GET", "POST"} {
		for _, host := range []string{"", "a.com", "x.a.com", "b.org", "a.com:8000"} {
			for _, path := range []string{"/", "/a", "/ab", "/a/12", "/a/2", "/b", "/b/c", "/b/c/d", "/c"} {
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
	return reqs
}

// matchAll returns what r answers to each request.
func matchAll(r *Router, reqs []*Request) []string {
	out := make([]string, len(reqs))
	for i, req := range reqs {
		m, ok := r.Match(req)
		out[i] = fmt.Sprint(ok, " ", describe(m))
	}
	return out
}

// sameRouter fails the test unless r and want match the requests alike,
// report the same failures and have the same index.
func sameRouter(t *testing.T, step int, r *Router, err error, want *Router, wantErr error, reqs []*Request) {
	t.Helper()
	if fmt.Sprint(err) != fmt.Sprint(wantErr) {
		t.Fatalf("step %d: error %v, want %v", step, err, wantErr)
	}
	got, exp := matchAll(r, reqs), matchAll(want, reqs)
	for i := range reqs {
		if got[i] != exp[i] {
			t.Fatalf("step %d: %+v: matched %s, want %s", step, reqs[i], got[i], exp[i])
		}
	}
	if got, exp := dumpRouter(r), dumpRouter(want); got != exp {
		t.Fatalf("step %d: index differs from New's:\n%s\nwant:\n%s", step, got, exp)
	}
}

// TestNewFromMatchesNew applies random route changes one after the other
// and checks that the Router NewFrom builds from the one before is the
// one New builds from scratch, with the new payloads.
func TestNewFromMatchesNew(t *testing.T) {
	g := randomRoutes{rand.New(rand.NewPCG(6, 10000))}
	reqs := g.requests()
	var routes []Route
	for n := range 20 {
		routes = append(routes, g.route(n))
	}
	var r *Router
	for step := range 2000 {
		routes = append([]Route(nil), routes...) // the previous slice stays as it was
		switch k := g.rng.IntN(len(routes)); g.rng.IntN(6) {
		case 0: // a new value for a route, same id
			routes[k] = g.route(k)
		case 1: // a new payload only
			routes[k].Payload = g.rng.Int()
		case 2: // equal values in new slices
			routes[k].Paths = append([]string(nil), routes[k].Paths...)
			routes[k].RegexPriority = g.rng.IntN(3)
		case 3: // removed
			routes = append(routes[:k], routes[k+1:]...)
		case 4: // added, sometimes with the id of another route
			routes = append(routes, g.route(g.rng.IntN(len(routes)+5)))
		case 5: // order changed
			g.rng.Shuffle(len(routes), func(i, j int) { routes[i], routes[j] = routes[j], routes[i] })
		}
		var err error
		r, err = NewFrom(r, routes)
		fresh, errFresh := New(routes)
		sameRouter(t, step, r, err, fresh, errFresh, reqs)
	}
}

// TestUpdateMatchesNew applies random batches of changes with Update and
// checks after each that the Router is the one New builds from the same
// routes, and that the Router updated still answers as it did.
func TestUpdateMatchesNew(t *testing.T) {
	g := randomRoutes{rand.New(rand.NewPCG(7, 20000))}
	reqs := g.requests()
	const ids = 30
	cur := map[string]Route{} // the routes served, by id
	r, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for step := range 1500 {
		var set []Route
		var remove []string
		for _, n := range g.rng.Perm(ids)[:1+g.rng.IntN(3)] { // an id once a batch
			switch g.rng.IntN(5) {
			case 0, 1: // added or replaced
				rt := g.route(n)
				set = append(set, rt)
				cur[rt.ID] = rt
			case 2: // a new payload only
				if rt, ok := cur[id(n)]; ok {
					rt.Payload = g.rng.Int()
					set = append(set, rt)
					cur[rt.ID] = rt
				}
			case 3: // removed, whether served or not
				remove = append(remove, id(n))
				delete(cur, id(n))
			case 4: // an id the router refuses
				rt := g.route(n)
				rt.ID = fmt.Sprintf("bad-%d", n)
				set = append(set, rt)
				cur[rt.ID] = rt
			}
		}
		before := matchAll(r, reqs)
		next, err := r.Update(set, remove)
		if after := matchAll(r, reqs); !slices.Equal(before, after) {
			t.Fatalf("step %d: Update changed the router it was called on", step)
		}
		fresh, errFresh := New(slices.Collect(maps.Values(cur)))
		sameRouter(t, step, next, err, fresh, errFresh, reqs)
		r = next
	}
}

// dumpRouter renders the index and the field counts of r, in an order that
// does not depend on how r was built.
func dumpRouter(r *Router) string {
	var b strings.Builder
	fmt.Fprintf(&b, "paths=%d hosts=%d snis=%d headers=%v %v routes=%d\n",
		r.pathRoutes, r.hostRoutes, r.sniRoutes, r.headerRoutes, r.headerNames, len(r.routes))
	for _, m := range []struct {
		name  string
		roots map[string]*trieNode
	}{{"exact", r.hosts.exact}, {"suffix", r.hosts.suffix}, {"prefix", r.hosts.prefix}} {
		for _, k := range slices.Sorted(maps.Keys(m.roots)) {
			fmt.Fprintf(&b, "%s %q:\n", m.name, k)
			dumpNode(&b, m.roots[k], 1)
		}
	}
	if r.hosts.any != nil {
		b.WriteString("any:\n")
		dumpNode(&b, r.hosts.any, 1)
	}
	return b.String()
}

func dumpNode(b *strings.Builder, n *trieNode, depth int) {
	fmt.Fprintf(b, "%s%q", strings.Repeat("  ", depth), n.label)
	for _, s := range n.subs {
		fmt.Fprintf(b, " %s/%x", s.route.ID, s.id[:4])
	}
	b.WriteString("\n")
	children := slices.Clone(n.children)
	slices.SortFunc(children, func(a, b *trieNode) int { return strings.Compare(a.label, b.label) })
	for i, c := range children {
		if c.label == "" || bytes.IndexByte(n.first, c.label[0]) != slices.Index(n.children, c) {
			fmt.Fprintf(b, "BAD CHILD %d\n", i)
		}
		dumpNode(b, c, depth+1)
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
