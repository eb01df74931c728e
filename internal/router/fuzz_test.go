package router

import (
	"cmp"
	"fmt"
	"net/http"
	"net/textproto"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	gocmp "github.com/google/go-cmp/cmp"
)

// naiveRouter is the definition the compiled router must agree with, written
// separately and plainly from the reference: split each route by path group,
// give each part the §1.3 priority, sort, and try them one by one.
type naiveRouter struct {
	parts []naivePart
	// fields some route reads, for the UTF-8 rule
	paths, hosts, snis bool
	headers            []string
}

type naivePart struct {
	route    *Route
	id       uuid
	priority uint64
	regex    bool
	paths    []string
}

func newNaive(routes []Route) *naiveRouter {
	n := &naiveRouter{}
	for i := range routes {
		rt := &routes[i]
		if compileErr(rt) {
			continue
		}
		n.paths = n.paths || len(rt.Paths) > 0
		n.hosts = n.hosts || len(rt.Hosts) > 0
		n.snis = n.snis || len(rt.SNIs) > 0
		for name := range rt.Headers {
			n.headers = append(n.headers, naiveHeaderKey(name))
		}
		type group struct {
			regex bool
			paths []string
		}
		var groups []group
		for _, p := range rt.Paths {
			regex := strings.HasPrefix(p, "~")
			found := false
			for gi := range groups {
				g := &groups[gi]
				if g.regex == regex && (regex || len(g.paths[0]) == len(p)) {
					g.paths = append(g.paths, p)
					found = true
					break
				}
			}
			if !found {
				groups = append(groups, group{regex, []string{p}})
			}
		}
		if len(groups) == 0 {
			groups = []group{{}}
		}
		for gi, g := range groups {
			part := naivePart{route: rt, id: mustParseUUID(rt.ID), regex: g.regex, paths: g.paths}
			if len(groups) > 1 {
				part.id = uuidV5(splitNamespace, fmt.Sprintf("%s#%d", rt.ID, gi+1))
			}
			fields := 0
			for _, set := range []bool{len(rt.Methods) > 0, len(rt.Hosts) > 0, len(rt.Headers) > 0, len(g.paths) > 0, len(rt.SNIs) > 0} {
				if set {
					fields++
				}
			}
			part.priority = uint64(fields) << 61
			plain := rt.Hosts != nil
			for _, h := range rt.Hosts {
				plain = plain && !strings.Contains(h, "*")
			}
			if plain {
				part.priority |= 1 << 60
			}
			part.priority |= uint64(min(len(rt.Headers), 255)) << 52
			if g.regex {
				part.priority |= 1<<51 | uint64(int64(rt.RegexPriority))<<19
			} else if len(g.paths) > 0 {
				part.priority |= uint64(len(g.paths[0])) & (1<<19 - 1)
			}
			n.parts = append(n.parts, part)
		}
	}
	slices.SortStableFunc(n.parts, func(a, b naivePart) int {
		if c := cmp.Compare(b.priority, a.priority); c != 0 {
			return c
		}
		return b.id.compare(a.id)
	})
	return n
}

// compileErr reports routes the fuzz corpus may produce that New refuses.
func compileErr(rt *Route) bool {
	_, err := compileRoute(rt, uuid{}, nil)
	return err != nil
}

func naiveHeaderKey(name string) string {
	return textproto.CanonicalMIMEHeaderKey(strings.ReplaceAll(name, "_", "-"))
}

// naiveResult is what the differential test compares.
type naiveResult struct {
	ID       string
	Prefix   string
	Captures *kongCaptures
}

func (n *naiveRouter) match(req *Request) *naiveResult {
	path := NormalizePath(req.Path)
	host, port := req.Host, req.Port
	if i := strings.IndexByte(host, ':'); i >= 0 {
		if p, err := strconv.Atoi(host[i+1:]); err == nil && p >= 0 && !strings.HasPrefix(host[i+1:], "+") && len(host[i+1:]) <= 9 {
			host, port = host[:i], p
		}
	}
	if n.paths && !utf8.ValidString(path) || n.hosts && !utf8.ValidString(host) || n.snis && !utf8.ValidString(req.SNI) {
		return nil
	}
	for _, name := range n.headers {
		if req.Headers == nil {
			break
		}
		for _, v := range req.Headers.Values(name) {
			if !utf8.ValidString(v) {
				return nil
			}
		}
	}
	for _, p := range n.parts {
		rt := p.route
		if len(rt.Methods) > 0 && !slices.Contains(rt.Methods, req.Method) {
			continue
		}
		if len(rt.Hosts) > 0 && !naiveHosts(rt.Hosts, host, port) {
			continue
		}
		if len(rt.SNIs) > 0 && req.Scheme == "https" && !naiveSNIs(rt.SNIs, req.SNI) {
			continue
		}
		if !naiveHeaders(rt.Headers, req.Headers) {
			continue
		}
		res, ok := naivePaths(p, path)
		if !ok {
			continue
		}
		res.ID = rt.ID
		if !rt.StripPath {
			res.Prefix = ""
		}
		return res
	}
	return nil
}

func naiveHosts(hosts []string, host string, port int) bool {
	if host == "" {
		return false
	}
	for _, h := range hosts {
		wantPort := 0
		if i := strings.IndexByte(h, ':'); i >= 0 {
			if p, err := strconv.Atoi(h[i+1:]); err == nil {
				h, wantPort = h[:i], p
			}
		}
		var ok bool
		switch {
		case strings.HasPrefix(h, "*"):
			ok = strings.HasSuffix(host, h[1:])
		case strings.HasSuffix(h, "*"):
			ok = strings.HasPrefix(host, h[:len(h)-1])
		default:
			ok = host == h
		}
		if ok && (wantPort == 0 || wantPort == port) {
			return true
		}
	}
	return false
}

func naiveSNIs(snis []string, sni string) bool {
	if sni == "" {
		return false
	}
	for _, s := range snis {
		switch {
		case strings.HasPrefix(s, "*"):
			if strings.HasSuffix(sni, strings.TrimSuffix(s, ".")[1:]) {
				return true
			}
		case strings.HasSuffix(s, "*"):
			if strings.HasPrefix(sni, s[:len(s)-1]) {
				return true
			}
		default:
			if sni == strings.TrimSuffix(s, ".") {
				return true
			}
		}
	}
	return false
}

func naiveHeaders(want map[string][]string, got Headers) bool {
	for name, values := range want {
		if got == nil {
			return false
		}
		found := false
		for _, v := range got.Values(naiveHeaderKey(name)) {
			lv := strings.ToLower(v)
			for _, w := range values {
				if re, ok := strings.CutPrefix(w, "~*"); ok {
					found = found || naiveRegexp(asciiLower(re)).MatchString(lv)
				} else {
					found = found || lv == asciiLower(w)
				}
			}
		}
		if !found {
			return false
		}
	}
	return true
}

var naiveRegexps sync.Map // pattern -> *regexp.Regexp

func naiveRegexp(pattern string) *regexp.Regexp {
	if re, ok := naiveRegexps.Load(pattern); ok {
		return re.(*regexp.Regexp)
	}
	re := regexp.MustCompile(pattern)
	naiveRegexps.Store(pattern, re)
	return re
}

func naivePaths(p naivePart, path string) (*naiveResult, bool) {
	if len(p.paths) == 0 {
		return &naiveResult{}, true
	}
	for _, rp := range p.paths {
		if !p.regex {
			if strings.HasPrefix(path, rp) {
				return &naiveResult{Prefix: rp}, true
			}
			continue
		}
		re := naiveRegexp("^" + strings.ReplaceAll(rp[1:], "?<", "?P<"))
		loc := re.FindStringSubmatchIndex(path)
		if loc == nil {
			continue
		}
		res := &naiveResult{Prefix: path[loc[0]:loc[1]]}
		k := &kongCaptures{Unnamed: map[int]string{}, Named: map[string]string{}}
		for i, name := range re.SubexpNames() {
			if loc[2*i] < 0 {
				continue
			}
			k.Unnamed[i] = path[loc[2*i]:loc[2*i+1]]
			if name != "" {
				k.Named[name] = k.Unnamed[i]
			}
		}
		if len(k.Unnamed) > 1 {
			res.Captures = k
		}
		return res, true
	}
	return nil, false
}

// Pools the fuzzer picks route values from: overlapping on purpose, so that
// priorities and tie-breaks decide.
var (
	fuzzMethods = []string{"GET", "POST", "PUT"}
	fuzzHosts   = []string{"a.com", "b.com", "*.a.com", "a.*", "x.a.com", "a.com:8080", "*.com", "b.*:81", "A.com", "[::1]", "api.v1.*", "*.x.a.com", "x.a.*"}
	fuzzPaths   = []string{"/", "/a", "/ab", "/a/b", "/abc", "/b", `~/a/\d+`, "~/(a|b)/x", "~/a", "~/(?<n>[a-z]+)/?", "/a/b/c", "~/ab?c", "~/b|/a", "/%C3%A9"}
	fuzzHeaders = []string{"x-a", "X_B", "x-a"}
	fuzzValues  = []string{"1", "2", `~*^v\d`, "Foo", "~*(o+)"}
	fuzzSNIs    = []string{"a.com", "*.a.com", "a.*", "b.com."}
)

// fuzzRoutes builds routes from bytes: per route one byte of field flags,
// then one byte per value choice.
func fuzzRoutes(data []byte) []Route {
	next := func() int {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return int(b)
	}
	pick := func(pool []string) []string {
		n := next()
		out := []string{pool[n%len(pool)]}
		if n&0x80 != 0 {
			out = append(out, pool[(n>>3)%len(pool)])
		}
		return out
	}
	var routes []Route
	for i := 0; len(data) > 0 && i < 64; i++ {
		flags := next()
		rt := Route{
			ID:            fmt.Sprintf("%08x-0000-4000-8000-%012x", next()%4*0x40000000, i),
			RegexPriority: next()%3 - 1,
			StripPath:     flags&0x40 != 0,
		}
		if flags&0x01 != 0 {
			rt.Methods = pick(fuzzMethods)
		}
		if flags&0x02 != 0 {
			rt.Hosts = pick(fuzzHosts)
		}
		if flags&0x04 != 0 {
			rt.Paths = pick(fuzzPaths)
		}
		if flags&0x08 != 0 {
			rt.Headers = map[string][]string{}
			for _, name := range pick(fuzzHeaders) {
				rt.Headers[name] = pick(fuzzValues)
			}
		}
		if flags&0x10 != 0 {
			rt.SNIs = pick(fuzzSNIs)
		}
		if flags&0x20 != 0 && rt.Hosts == nil {
			rt.Hosts = []string{} // Kong's "hosts": [], plain-host-only
		}
		routes = append(routes, rt)
	}
	return routes
}

func FuzzMatch(f *testing.F) {
	f.Add([]byte{0x07, 0, 0, 0x81, 0x12, 0x05, 1, 2, 0x86}, "GET", "x.a.com", "/a/12", "v1", "a.com", true)
	f.Add([]byte{0x0c, 1, 1, 7, 0x82, 2, 0x04, 2, 2, 3, 0x4e, 3, 0, 2, 1, 4}, "POST", "a.com:8080", "/a//b/../12", "FOO", "", false)
	f.Add([]byte{0x16, 0, 0, 9, 3, 0x52, 1, 0, 5, 2, 0x24, 3, 1, 10, 0x5f, 0, 2, 0xff, 0xff, 0xff, 0xff, 0xff}, "PUT", "b.com:81", "/abc/x", "2", "x.a.com", true)
	f.Add([]byte{0x3f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x44, 2, 2, 13}, "GET", "a.org", "/%c3%a9t%c3%a9", "ooo", "b.com", false)
	f.Add([]byte{0x02, 0, 0, 10, 0x06, 1, 0, 11, 1, 0x02, 2, 0, 12}, "GET", "api.v1.x.a.com", "/ab", "", "", false)
	f.Fuzz(func(t *testing.T, data []byte, method, host, path, value, sni string, https bool) {
		routes := fuzzRoutes(data)
		r, _ := New(routes)
		if got, want := dumpRouter(oneByOne(routes)), dumpRouter(r); got != want {
			t.Fatalf("routes %+v\nindex built one route at a time:\n%s\nwant:\n%s", routes, got, want)
		}
		naive := newNaive(routes)
		scheme := "http"
		if https {
			scheme = "https"
		}
		// The fuzzer's own request, then requests aimed at the pools.
		hosts := append([]string{host}, fuzzRequestHosts...)
		paths := append([]string{"/" + path}, fuzzRequestPaths...)
		for _, h := range hosts {
			for _, p := range paths {
				req := &Request{
					Method:  method,
					Host:    h,
					Path:    p,
					Headers: http.Header{"X-A": {value}, "X-B": {strings.ToUpper(value), "2"}},
					SNI:     sni,
					Scheme:  scheme,
					Port:    80,
				}
				var got *naiveResult
				if m, ok := r.Match(req); ok {
					got = &naiveResult{ID: m.Route.ID, Prefix: m.MatchedPrefix, Captures: toKong(m.Captures)}
				}
				if diff := gocmp.Diff(naive.match(req), got); diff != "" {
					t.Fatalf("request %+v\nroutes %+v\n(-naive +router):\n%s", req, routes, diff)
				}
			}
		}
	})
}

// oneByOne builds the Router New(routes) builds by updating an empty one
// route by route. It skips what New leaves out without a trace: a stream
// route, and a route whose id a route before it took (given to Update, the
// one would remove and the other replace the route served).
func oneByOne(routes []Route) *Router {
	r, _ := New(nil)
	for _, rt := range routes {
		if id, err := parseUUID(rt.ID); !servesHTTP(&rt) || err == nil && r.routes[id] != nil {
			continue
		}
		r, _ = r.Update([]Route{rt}, nil)
	}
	return r
}

// Requests aimed at the route pools, sent with every fuzz input.
var (
	fuzzRequestHosts = []string{"a.com", "x.a.com", "api.v1.x.a.com", "b.com:81", "a.com:8080", "A.com", "[::1]", "w.com"}
	fuzzRequestPaths = []string{"/", "/a", "/ab", "/a/b", "/abc", "/a/b/c/d", "/a/12", "/b/x", "/abx", "/ac", "/%C3%A9", "/xyz", "/b"}
)
