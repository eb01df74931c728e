package router

import (
	"errors"
	"fmt"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// subRoute is one matcher of the router: a route, or one path group of a
// route whose paths had to be split (see splitPaths). All fields of a
// subRoute must match (AND); the values within a field are alternatives (OR).
type subRoute struct {
	route    *Route
	id       uuid
	priority uint64

	methods  []string
	hosts    []nameMatcher
	snis     []nameMatcher
	headers  []headerMatcher
	prefixes []string         // prefix paths, all of the same length
	regexes  []*regexp.Regexp // regex paths, tried in the route's order
	// regexLiterals are the literal prefixes of regexes ("" for none): a path
	// must start with one of them for the regexes to match.
	regexLiterals []string
}

// headerMatcher is one route header: any request value of the header must
// equal one of values or contain a match of one of regexes, after the
// request value is lower-cased.
type headerMatcher struct {
	name    string // canonical MIME form, '_' turned into '-'
	values  []string
	regexes []*regexp.Regexp
}

// pathGroup is a set of paths that share a priority: all the regex paths of
// a route, or its prefix paths of one length.
type pathGroup struct {
	regex bool
	paths []string
}

// compileRoute builds the sub-routes of one route: one, or one per path
// group when its paths fall into several groups. Regex paths are compiled
// through regexes, or without a cache when it is nil.
func compileRoute(rt *Route, id uuid, regexes *regexCache) ([]subRoute, error) {
	if err := checkUTF8(rt); err != nil {
		return nil, err
	}
	base := subRoute{route: rt, id: id, methods: rt.Methods}
	for _, h := range rt.Hosts {
		base.hosts = append(base.hosts, compileHost(h))
	}
	for _, s := range rt.SNIs {
		base.snis = append(base.snis, compileSNI(s))
	}
	var err error
	if base.headers, err = compileHeaders(rt.Headers); err != nil {
		return nil, err
	}

	groups := splitPaths(rt.Paths)
	if len(groups) == 0 {
		base.priority = priority(rt, pathGroup{})
		return []subRoute{base}, nil
	}
	subs := make([]subRoute, len(groups))
	for i, g := range groups {
		s := base
		if len(groups) > 1 {
			// Kong names split sub-routes uuidv5("<route id>#<n>"), n from 1;
			// the name takes part in the tie-break between equal priorities.
			s.id = uuidV5(splitNamespace, rt.ID+"#"+strconv.Itoa(i+1))
		}
		if g.regex {
			for _, p := range g.paths {
				c, err := regexes.get(p)
				if err != nil {
					return nil, fmt.Errorf("invalid regex %q: %w", p, err)
				}
				s.regexes = append(s.regexes, c.re)
				s.regexLiterals = append(s.regexLiterals, c.literal)
			}
		} else {
			s.prefixes = g.paths
		}
		s.priority = priority(rt, g)
		subs[i] = s
	}
	return subs, nil
}

// splitPaths groups paths as Kong's split_routes_and_services_by_path does:
// all regex paths together, prefix paths by length, groups in the order of
// their first path.
func splitPaths(paths []string) []pathGroup {
	var groups []pathGroup
	index := map[int]int{} // 0 for regex, else the prefix length -> groups index
	for _, p := range paths {
		regex := isRegexPath(p)
		key := len(p)
		if regex {
			key = 0
		}
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, pathGroup{regex: regex})
		}
		groups[i].paths = append(groups[i].paths, p)
	}
	return groups
}

// checkUTF8 refuses what atc-router cannot take: Kong writes the route's
// values into an expression string that must be valid UTF-8.
func checkUTF8(rt *Route) error {
	for _, f := range []struct {
		name   string
		values []string
	}{{"methods", rt.Methods}, {"hosts", rt.Hosts}, {"paths", rt.Paths}, {"snis", rt.SNIs}} {
		for _, v := range f.values {
			if !utf8.ValidString(v) {
				return fmt.Errorf("invalid utf-8 in %s: %q", f.name, v)
			}
		}
	}
	for name, values := range rt.Headers {
		for _, v := range values {
			if !utf8.ValidString(v) {
				return fmt.Errorf("invalid utf-8 in header %q: %q", name, v)
			}
		}
	}
	return nil
}

func isRegexPath(p string) bool { return strings.HasPrefix(p, "~") }

var errNoHeaderValues = errors.New("has no values")

// compileHeaders prepares the route headers.
func compileHeaders(headers map[string][]string) ([]headerMatcher, error) {
	if len(headers) == 0 {
		return nil, nil
	}
	out := make([]headerMatcher, 0, len(headers))
	for name, values := range headers {
		if len(values) == 0 {
			return nil, fmt.Errorf("header %q %w", name, errNoHeaderValues)
		}
		hm := headerMatcher{name: headerKey(name)}
		for _, v := range values {
			if re, ok := strings.CutPrefix(v, "~*"); ok {
				rx, err := regexp.Compile(asciiLower(re))
				if err != nil {
					return nil, fmt.Errorf("header %q: invalid regex %q: %w", name, re, err)
				}
				hm.regexes = append(hm.regexes, rx)
				continue
			}
			hm.values = append(hm.values, asciiLower(v))
		}
		out = append(out, hm)
	}
	return out, nil
}

// headerKey is the canonical MIME form of a route header name, with '_'
// read as '-' (nginx looks "x_foo" up as the "x-foo" request header).
func headerKey(name string) string {
	return textproto.CanonicalMIMEHeaderKey(strings.ReplaceAll(name, "_", "-"))
}

// asciiLower lower-cases ASCII letters only, like Lua's string.lower.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
