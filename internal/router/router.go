package router

import (
	"cmp"
	"errors"
	"fmt"
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
	r := &Router{routes: slices.Clone(routes), hosts: newHostIndex()}
	defer pathRegexes.rotate()
	var errs []error
	ids := make(map[uuid]bool, len(r.routes))
	for i := range r.routes {
		rt := &r.routes[i]
		if !servesHTTP(rt) {
			continue
		}
		id, err := parseUUID(rt.ID)
		var subs []subRoute
		switch {
		case err != nil:
		case ids[id]:
			err = errDuplicateID
		default:
			subs, err = compileRoute(rt, id)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("route %s: %w", rt.ID, err))
			continue
		}
		ids[id] = true
		r.subs = append(r.subs, subs...)
		r.noteFields(subs[0])
	}
	slices.SortFunc(r.subs, func(a, b subRoute) int {
		if c := cmp.Compare(b.priority, a.priority); c != 0 {
			return c
		}
		return b.id.compare(a.id)
	})
	for i := range r.subs {
		r.hosts.file(&r.subs[i], int32(i))
	}
	return r, errors.Join(errs...)
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
