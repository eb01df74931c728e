package router

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Router is a compiled, immutable set of routes. Match is safe for
// concurrent use; a Router is replaced, never updated: Update returns a
// new one that shares what did not change.
type Router struct {
	routes map[uuid]*compiledRoute // every route served, by id
	failed map[string]failure      // the routes left out, by Route.ID
	hosts  hostIndex

	// How many routes read each request field. Kong fills only the fields
	// some route reads into the atc-router context, and a value that is not
	// valid UTF-8 there fails the whole match (404), so Match checks the
	// same ones.
	pathRoutes, hostRoutes, sniRoutes int
	headerRoutes                      map[string]int // by canonical header name
	headerNames                       []string       // the keys of headerRoutes
}

// compiledRoute is a route as the Router serves it. It is never changed
// once its batch is done: a new value of the route gets a new one.
type compiledRoute struct {
	route Route
	subs  []subRoute // their route is &route
	batch *batch     // the batch that set it
}

// failure is why a route is left out, and the batch that found it.
type failure struct {
	err   error
	batch *batch
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
	b := &batch{
		r: &Router{
			routes:       make(map[uuid]*compiledRoute, len(routes)),
			failed:       map[string]failure{},
			headerRoutes: map[string]int{},
			hosts:        newHostIndex(),
		},
		base:    prev,
		regexes: pathRegexes,
		owns:    ownsAll,
	}
	defer pathRegexes.rotate()
	compiled := make([]compiledRoute, len(routes)) // one allocation for all
	for i := range routes {
		b.set(&routes[i], &compiled[i])
	}
	return b.finish()
}

// Update returns a Router serving r's routes changed by set and remove:
// each route of set is added, or replaces r's route of the same id (a
// route of set outside the HTTP subsystem only removes it); the route of
// each id in remove is dropped. r itself does not change and stays usable.
//
// The work is in proportion to the changes, not to the number of routes:
// the new Router shares r's compiled routes and the parts of its index the
// changes do not touch. The result matches like New over the routes it
// serves; err reports every route left out, those of earlier builds
// included, as New does.
func (r *Router) Update(set []Route, remove []string) (*Router, error) {
	next := *r
	b := &batch{r: &next, base: r}
	for _, id := range remove {
		b.remove(id)
	}
	for i := range set {
		b.set(&set[i], nil)
	}
	return b.finish()
}

// err joins the failures, in the order of their route ids.
func (r *Router) err() error {
	if len(r.failed) == 0 {
		return nil
	}
	ids := slices.Sorted(maps.Keys(r.failed))
	errs := make([]error, len(ids))
	for i, id := range ids {
		errs[i] = fmt.Errorf("route %s: %w", id, r.failed[id].err)
	}
	return errors.Join(errs...)
}

// byRank orders sub-routes as the router tries them: higher priority
// first, then the greater route id (Kong's atc-router order).
func byRank(a, b *subRoute) int {
	if c := cmp.Compare(b.priority, a.priority); c != 0 {
		return c
	}
	return b.id.compare(a.id)
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
