package router

import (
	"errors"
	"maps"
	"slices"
)

// batch makes one Router out of another: NewFrom starts from an empty
// Router, Update from the one it is called on. Requests may still be
// matching against the old Router, so a batch changes only what it made
// itself: the maps it cloned, and the trie nodes it created or copied
// (those whose owner it is). Everything else is shared with the old Router
// untouched, so the cost of an Update follows the changes, not the number
// of routes.
type batch struct {
	r *Router // the Router being made
	// base is the Router whose compiled routes may be reused: prev for
	// NewFrom, the Router being updated for Update.
	base *Router
	// regexes caches compiled regex paths across builds; nil compiles
	// them afresh (Update: a cache rotated by every small update would
	// keep nothing, and one never rotated would only grow).
	regexes *regexCache
	owns    owned // which of r's maps the batch made (may change)
	slab    slab  // where new trie nodes come from
}

// owned records which of the Router's maps a batch may change.
type owned uint8

const (
	ownsRoutes owned = 1 << iota
	ownsFailed
	ownsExact
	ownsSuffix
	ownsPrefix
	ownsHeaders

	ownsAll = ownsRoutes | ownsFailed | ownsExact | ownsSuffix | ownsPrefix | ownsHeaders
)

// writable returns *m for changing, cloning it first unless the batch
// already owns it.
func writable[M ~map[K]V, K comparable, V any](b *batch, which owned, m *M) M {
	if b.owns&which == 0 {
		*m = maps.Clone(*m)
		if *m == nil {
			*m = M{}
		}
		b.owns |= which
	}
	return *m
}

// set adds rt, or replaces the route of its id. into, when not nil, is
// where to keep the compiled route (NewFrom hands out one slice for all).
func (b *batch) set(rt *Route, into *compiledRoute) {
	if f, ok := b.r.failed[rt.ID]; ok && f.batch != b {
		delete(writable(b, ownsFailed, &b.r.failed), rt.ID) // an earlier value's failure
	}
	if !servesHTTP(rt) {
		b.remove(rt.ID) // a stream route (now): not part of the HTTP router
		return
	}
	id, err := parseUUID(rt.ID)
	if err != nil {
		b.fail(rt.ID, err)
		return
	}
	old := b.r.routes[id]
	if old != nil && old.batch == b {
		b.fail(rt.ID, errDuplicateID)
		return
	}
	if into == nil {
		into = new(compiledRoute)
	}
	cr := into
	*cr = compiledRoute{route: *rt, batch: b}
	cr.subs, err = b.compile(&cr.route, id)
	if old != nil {
		b.unindex(old)
		if err != nil {
			delete(writable(b, ownsRoutes, &b.r.routes), id)
		}
	}
	if err != nil {
		b.fail(rt.ID, err)
		return
	}
	writable(b, ownsRoutes, &b.r.routes)[id] = cr
	b.index(cr)
}

// compile returns the sub-routes of rt: a copy of those base compiled for
// the same matching fields, or new ones.
func (b *batch) compile(rt *Route, id uuid) ([]subRoute, error) {
	var subs []subRoute
	if prev := b.base.compiled(id); prev != nil && sameMatching(&prev.route, rt) {
		subs = slices.Clone(prev.subs)
	} else {
		var err error
		if subs, err = compileRoute(rt, id, b.regexes); err != nil {
			return nil, err
		}
	}
	for i := range subs {
		subs[i].route = rt
	}
	return subs, nil
}

// compiled returns the compiled route of id, nil when r (which may be nil)
// has none.
func (r *Router) compiled(id uuid) *compiledRoute {
	if r == nil {
		return nil
	}
	return r.routes[id]
}

// remove drops the route of id, and its failure.
func (b *batch) remove(id string) {
	if _, ok := b.r.failed[id]; ok {
		delete(writable(b, ownsFailed, &b.r.failed), id)
	}
	u, err := parseUUID(id)
	if err != nil {
		return
	}
	if old := b.r.routes[u]; old != nil {
		b.unindex(old)
		delete(writable(b, ownsRoutes, &b.r.routes), u)
	}
}

// fail records that the route of id is left out; two failures of one id
// in one batch are both kept.
func (b *batch) fail(id string, err error) {
	failed := writable(b, ownsFailed, &b.r.failed)
	if f, ok := failed[id]; ok && f.batch == b {
		err = errors.Join(f.err, err)
	}
	failed[id] = failure{err: err, batch: b}
}

// index files the sub-routes of cr and counts the fields it reads.
func (b *batch) index(cr *compiledRoute) {
	for i := range cr.subs {
		b.file(&cr.subs[i])
	}
	b.count(cr, 1)
}

// unindex takes the sub-routes of cr out of the index and uncounts them.
func (b *batch) unindex(cr *compiledRoute) {
	for i := range cr.subs {
		b.unfile(&cr.subs[i])
	}
	b.count(cr, -1)
}

// count adds delta to the counts of the request fields cr reads.
func (b *batch) count(cr *compiledRoute, delta int) {
	r, s := b.r, &cr.subs[0] // the sub-routes of a route differ only in paths
	if len(cr.route.Paths) > 0 {
		r.pathRoutes += delta
	}
	if len(s.hosts) > 0 {
		r.hostRoutes += delta
	}
	if len(s.snis) > 0 {
		r.sniRoutes += delta
	}
	if len(s.headers) == 0 {
		return
	}
	counts := writable(b, ownsHeaders, &r.headerRoutes)
	for _, h := range s.headers {
		if counts[h.name] += delta; counts[h.name] == 0 {
			delete(counts, h.name)
		}
	}
}

// finish returns the Router made, and the failures of all its routes.
func (b *batch) finish() (*Router, error) {
	r := b.r
	if b.owns&ownsHeaders != 0 {
		r.headerNames = slices.Sorted(maps.Keys(r.headerRoutes))
	}
	// The nodes and compiled routes keep pointing at b, only to tell
	// which batch made them: let go of the rest.
	*b = batch{}
	return r, r.err()
}
