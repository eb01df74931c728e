package router

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Router is a compiled, immutable set of routes. Match is safe for
// concurrent use; a Router is replaced, never updated.
type Router struct {
	routes []Route
	subs   []subRoute // in priority order: index = rank, 0 first
	hosts  hostIndex

	// Fields some route reads. Kong fills only those into the atc-router
	// context, and a value that is not valid UTF-8 there fails the whole
	// match (404), so Match checks the same ones.
	readsPath, readsHost, readsSNI bool
	headerNames                    []string

	// What NewFrom reuses: slots maps the id of each route served to its
	// index in routes, and compiled holds, at that index, the route's
	// sub-routes with route unset.
	slots    map[uuid]int32
	compiled [][]subRoute
}

var errDuplicateID = errors.New("duplicate id")

// New compiles routes into a Router. Routes outside the HTTP subsystem (all
// their protocols stream protocols) are not part of it.
//
// Like Kong, which logs and skips a route it cannot compile, New leaves out
// each route that fails (bad or duplicate id, regex Go cannot compile,
// header without values) and reports it in err, each error naming its route
// id. The returned Router is usable, with the other routes, even when err is
// not nil.
func New(routes []Route) (*Router, error) {
	return NewFrom(nil, routes)
}

// NewFrom is New reusing the compiled form of every route of prev (which
// may be nil) whose matching fields (id, methods, hosts, paths, headers,
// snis, regex priority) are equal to those of the same route in routes;
// the other fields, Payload included, are always taken from routes. The
// result is the Router New(routes) returns; only the work differs.
func NewFrom(prev *Router, routes []Route) (*Router, error) {
	r := &Router{
		routes:   slices.Clone(routes),
		hosts:    newHostIndex(),
		slots:    make(map[uuid]int32, len(routes)),
		compiled: make([][]subRoute, len(routes)),
	}
	// fresh collects the sub-routes compiled now; those reused keep the
	// rank order they have in prev.subs and are merged in below, which
	// spares sorting them all again.
	var fresh []subRoute
	// next maps the index of a route in prev.routes to 1 + its index in
	// r.routes when its sub-routes are reused, else 0.
	var next []int32
	if prev == nil {
		fresh = make([]subRoute, 0, len(routes))
	} else {
		next = make([]int32, len(prev.routes))
	}
	defer pathRegexes.rotate()
	var errs []error
	for i := range r.routes {
		rt := &r.routes[i]
		if !servesHTTP(rt) {
			continue
		}
		id, err := parseUUID(rt.ID)
		var subs []subRoute
		reusedNow := false
		switch {
		case err != nil:
		case r.hasID(id):
			err = errDuplicateID
		default:
			var from int32
			if subs, from = prev.reuse(rt, id); subs != nil {
				next[from], reusedNow = int32(i)+1, true
				break
			}
			subs, err = compileRoute(rt, id)
			for j := range subs {
				subs[j].route = nil // set on the copies in r.subs
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("route %s: %w", rt.ID, err))
			continue
		}
		r.slots[id] = int32(i)
		r.compiled[i] = subs
		last := subs[len(subs)-1]
		last.route = rt
		r.noteFields(last)
		if reusedNow {
			continue // merged in below, in prev's order
		}
		for _, s := range subs {
			s.route, s.slot = rt, int32(i)
			fresh = append(fresh, s)
		}
	}
	slices.SortFunc(fresh, byRank)
	r.subs = fresh
	if prev != nil {
		r.subs = r.mergeReused(prev, fresh, next)
	}
	for i := range r.subs {
		r.hosts.file(&r.subs[i], int32(i))
	}
	return r, errors.Join(errs...)
}

// byRank orders sub-routes as the router tries them: higher priority
// first, then the greater route id (Kong's atc-router order).
func byRank(a, b subRoute) int {
	if c := cmp.Compare(b.priority, a.priority); c != 0 {
		return c
	}
	return b.id.compare(a.id)
}

// mergeReused returns r's sub-routes in rank order: those of the routes
// reused from prev (next, see NewFrom), in the order prev ranked them,
// merged with fresh, sorted by byRank.
func (r *Router) mergeReused(prev *Router, fresh []subRoute, next []int32) []subRoute {
	out := make([]subRoute, 0, len(fresh)+len(prev.subs))
	for _, s := range prev.subs {
		j := next[s.slot]
		if j == 0 {
			continue
		}
		s.route, s.slot = &r.routes[j-1], j-1
		for len(fresh) > 0 && byRank(fresh[0], s) < 0 {
			out = append(out, fresh[0])
			fresh = fresh[1:]
		}
		out = append(out, s)
	}
	return append(out, fresh...)
}

// reuse returns the sub-routes r compiled for route id when rt compiles
// the same (route unset), and the route's index in r.routes; nil when
// it does not.
func (r *Router) reuse(rt *Route, id uuid) ([]subRoute, int32) {
	if r == nil {
		return nil, 0
	}
	i, ok := r.slots[id]
	if !ok || !sameMatching(&r.routes[i], rt) {
		return nil, 0
	}
	return r.compiled[i], i
}

func (r *Router) hasID(id uuid) bool {
	_, ok := r.slots[id]
	return ok
}

// sameMatching reports whether a and b have equal values in every field
// compileRoute reads. Hosts compare nil and empty apart: the priority does.
func sameMatching(a, b *Route) bool {
	return a.ID == b.ID &&
		a.RegexPriority == b.RegexPriority &&
		slices.Equal(a.Methods, b.Methods) &&
		slices.Equal(a.Hosts, b.Hosts) && (a.Hosts == nil) == (b.Hosts == nil) &&
		slices.Equal(a.Paths, b.Paths) &&
		slices.Equal(a.SNIs, b.SNIs) &&
		maps.EqualFunc(a.Headers, b.Headers, slices.Equal) &&
		(a.Headers == nil) == (b.Headers == nil)
}

// noteFields records the request fields a route reads.
func (r *Router) noteFields(s subRoute) {
	r.readsPath = r.readsPath || len(s.route.Paths) > 0
	r.readsHost = r.readsHost || len(s.hosts) > 0
	r.readsSNI = r.readsSNI || len(s.snis) > 0
	for _, h := range s.headers {
		if !slices.Contains(r.headerNames, h.name) {
			r.headerNames = append(r.headerNames, h.name)
		}
	}
}
