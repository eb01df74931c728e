package router

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Match is the result of routing one request.
type Match struct {
	// Route is the matched route (the original one, also when the route's
	// paths were split into sub-routes).
	Route *Route
	// Path is the normalized request path the route was matched against.
	Path string
	// MatchedPrefix is the part of Path that strip_path removes: the route's
	// prefix path, or the portion a regex path matched. It is "" when the
	// route does not strip or matched no path. Kong sets X-Forwarded-Prefix
	// from it unless it is "/".
	MatchedPrefix string
	// Captures are the groups of a regex path match (Kong's uri_captures).
	Captures Captures
}

// input is a request prepared for matching.
type input struct {
	method  string
	host    string
	hasHost bool
	port    int
	path    string
	headers Headers
	https   bool
	sni     string
}

// search is the state of one Match: the best sub-route found so far.
type search struct {
	r     *Router
	in    input
	best  *subRoute
	regex *regexp.Regexp // the regex path that matched for best, if any
}

// Match returns the highest-priority route matching req. Like Kong, it
// matches nothing when a request value that some route reads (the path, the
// host, the SNI, a header some route names) is not valid UTF-8.
//
// Match does not allocate unless it normalizes a path or matches a regex
// path (for captures, or the stripped portion).
func (r *Router) Match(req *Request) (Match, bool) {
	// The input lives inside search, by value: a pointer to a separate
	// variable would make it escape to the heap.
	s := search{r: r}
	s.in = input{
		method:  req.Method,
		path:    NormalizePath(req.Path),
		headers: req.Headers,
		https:   req.Scheme == "https",
		sni:     req.SNI,
		port:    req.Port,
	}
	in := &s.in
	host, port, hasPort := splitHostPort(req.Host)
	in.host, in.hasHost = host, host != ""
	if hasPort {
		in.port = port
	}
	if !r.validUTF8(in) {
		return Match{}, false
	}

	r.hosts.lookup(in.host, in.hasHost, func(root *trieNode) {
		root.walk(in.path, s.scan)
	})
	if s.best == nil {
		return Match{}, false
	}
	return s.best.result(s.regex, in.path), true
}

// scan looks for a sub-route better than the best so far in a list in
// rank order.
func (s *search) scan(subs []*subRoute) {
	for _, sub := range subs {
		if s.best != nil && byRank(sub, s.best) >= 0 {
			return
		}
		if ok, re := sub.match(&s.in); ok {
			s.best, s.regex = sub, re
			return
		}
	}
}

// result builds the Match of sub, whose regex path re matched (nil for
// other paths).
func (sub *subRoute) result(re *regexp.Regexp, path string) Match {
	m := Match{Route: sub.route, Path: path}
	switch {
	case re != nil:
		// Only now pay for the positions: for the stripped portion, and for
		// captures when the regex has groups.
		if !sub.route.StripPath && re.NumSubexp() == 0 {
			break
		}
		loc := re.FindStringSubmatchIndex(path)
		if sub.route.StripPath {
			m.MatchedPrefix = path[loc[0]:loc[1]]
		}
		m.Captures = newCaptures(path, loc, re)
	case sub.route.StripPath && len(sub.prefixes) > 0:
		m.MatchedPrefix = m.Path[:len(sub.prefixes[0])]
	}
	return m
}

// validUTF8 applies Kong's rule that a request field some route reads must
// be valid UTF-8, or nothing matches (atc-router refuses the value).
func (r *Router) validUTF8(in *input) bool {
	if r.pathRoutes > 0 && !utf8.ValidString(in.path) ||
		r.hostRoutes > 0 && !utf8.ValidString(in.host) ||
		r.sniRoutes > 0 && !utf8.ValidString(in.sni) {
		return false
	}
	if in.headers == nil {
		return true
	}
	for _, name := range r.headerNames {
		for _, v := range in.headers.Values(name) {
			if !utf8.ValidString(v) {
				return false
			}
		}
	}
	return true
}

// match reports whether every field of the sub-route matches, and which
// regex path matched when it has regex paths.
func (s *subRoute) match(in *input) (bool, *regexp.Regexp) {
	if len(s.methods) > 0 && !slices.Contains(s.methods, in.method) {
		return false, nil
	}
	if len(s.hosts) > 0 && !s.matchHost(in) {
		return false, nil
	}
	// Kong: (net.protocol != "https" || tls.sni ...): SNIs only bind HTTPS.
	if len(s.snis) > 0 && in.https && !matchSNI(s.snis, in.sni) {
		return false, nil
	}
	if len(s.prefixes) > 0 && !hasAnyPrefix(in.path, s.prefixes) {
		return false, nil
	}
	for i := range s.headers {
		if !s.headers[i].match(in.headers) {
			return false, nil
		}
	}
	if len(s.regexes) > 0 {
		for _, re := range s.regexes {
			if re.MatchString(in.path) {
				return true, re
			}
		}
		return false, nil
	}
	return true, nil
}

func (s *subRoute) matchHost(in *input) bool {
	if !in.hasHost {
		return false
	}
	for i := range s.hosts {
		h := &s.hosts[i]
		if h.matchName(in.host) && (h.port == 0 || h.port == in.port) {
			return true
		}
	}
	return false
}

func matchSNI(snis []nameMatcher, sni string) bool {
	if sni == "" {
		return false
	}
	for i := range snis {
		if snis[i].matchName(sni) {
			return true
		}
	}
	return false
}

// match reports whether any value of the request header matches.
func (h *headerMatcher) match(headers Headers) bool {
	if headers == nil {
		return false
	}
	for _, v := range headers.Values(h.name) {
		for _, want := range h.values {
			if equalLower(v, want) {
				return true
			}
		}
		if len(h.regexes) > 0 {
			lv := strings.ToLower(v)
			for _, re := range h.regexes {
				if re.MatchString(lv) {
					return true
				}
			}
		}
	}
	return false
}

// equalLower reports whether lower(v) == want, lower being Unicode
// lower-casing as atc-router's lower() does (want is already lower-cased).
func equalLower(v, want string) bool {
	if len(v) != len(want) {
		// Unicode lower-casing may change the length; ASCII cannot.
		return !isASCII(v) && strings.ToLower(v) == want
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= utf8.RuneSelf {
			return strings.ToLower(v) == want
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != want[i] {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
