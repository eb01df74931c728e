package admin

import (
	"sort"
	"strings"
)

// handlerFunc serves one method of one route. It writes the response with
// c.reply or returns an error that is rendered by c.fail.
type handlerFunc func(c *call) error

// route is one path pattern, "/services/{services}/routes", and its methods.
type route struct {
	pattern string
	segs    []string // literal segments, or "{name}" for parameters
	methods map[string]handlerFunc
	// disabled endpoints answer 404 to every method (Kong's endpoints.disable).
	disabled bool
	// yaml endpoints accept application/yaml and text/yaml bodies (/config).
	yaml bool
}

// allow returns the sorted method list of the route, with HEAD (when GET
// is served) and OPTIONS, as Kong's Allow header has it.
func (rt *route) allow() string {
	ms := []string{"OPTIONS"}
	for m := range rt.methods {
		ms = append(ms, m)
	}
	if rt.methods["GET"] != nil && rt.methods["HEAD"] == nil {
		ms = append(ms, "HEAD")
	}
	sort.Strings(ms)
	return strings.Join(ms, ", ")
}

// router matches request paths to routes. A literal segment wins over a
// parameter at the first position where candidates differ, so
// /upstreams/{upstreams}/targets/all is preferred to
// /upstreams/{upstreams}/targets/{targets}.
type router struct {
	byPattern map[string]*route
	routes    []*route
}

func newRouter() *router { return &router{byPattern: map[string]*route{}} }

// handle registers fn for method on pattern, replacing an earlier handler
// for the same method (Kong's custom endpoints override generated ones).
func (rr *router) handle(pattern, method string, fn handlerFunc) *route {
	rt := rr.route(pattern)
	rt.methods[method] = fn
	return rt
}

// route returns the route for pattern, creating it.
func (rr *router) route(pattern string) *route {
	if rt, ok := rr.byPattern[pattern]; ok {
		return rt
	}
	rt := &route{pattern: pattern, segs: splitPath(pattern), methods: map[string]handlerFunc{}}
	rr.byPattern[pattern] = rt
	rr.routes = append(rr.routes, rt)
	return rt
}

// disable makes every method of pattern answer 404.
func (rr *router) disable(pattern string) {
	rt := rr.route(pattern)
	rt.disabled = true
}

func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

// match returns the route for an escaped request path and its parameters,
// still escaped (endpoints unescape them as Kong does).
func (rr *router) match(path string) (*route, map[string]string) {
	if !strings.HasPrefix(path, "/") {
		return nil, nil
	}
	segs := splitPath(path)
	var best *route
	var bestRank string
	for _, rt := range rr.routes {
		rank, ok := matchSegs(rt.segs, segs)
		if !ok {
			continue
		}
		if best == nil || rank < bestRank {
			best, bestRank = rt, rank
		}
	}
	if best == nil {
		return nil, nil
	}
	params := map[string]string{}
	for i, s := range best.segs {
		if isParam(s) {
			params[s[1:len(s)-1]] = segs[i]
		}
	}
	return best, params
}

// matchSegs reports whether pattern matches segs and a rank string ('L'
// for a literal, 'P' for a parameter per segment) that orders candidates.
func matchSegs(pattern, segs []string) (string, bool) {
	if len(pattern) != len(segs) {
		return "", false
	}
	rank := make([]byte, len(segs))
	for i, p := range pattern {
		switch {
		case isParam(p):
			if segs[i] == "" {
				return "", false
			}
			rank[i] = 'P'
		case p == segs[i]:
			rank[i] = 'L'
		default:
			return "", false
		}
	}
	return string(rank), true
}

// paths returns every route pattern in Kong's /endpoints order: compared
// with '/' as the lowest byte, so that /a/z sorts before /ab.
func (rr *router) paths() []string {
	out := make([]string, 0, len(rr.routes))
	for _, rt := range rr.routes {
		out = append(out, rt.pattern)
	}
	sort.Slice(out, func(i, j int) bool {
		return strings.ReplaceAll(out[i], "/", "\x00") < strings.ReplaceAll(out[j], "/", "\x00")
	})
	return out
}
