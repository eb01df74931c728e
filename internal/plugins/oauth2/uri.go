package oauth2

import (
	"fmt"
	"regexp"
	"strings"
)

// uri is a URI split as LuaSocket's socket.url.parse splits it, which Kong
// uses to check redirect_uris and to add parameters to a redirect URI;
// build puts it back together unchanged but for what was replaced.
type uri struct {
	scheme, authority, path, params, query, fragment string
	// has tells which optional parts are present (an empty query "?" is
	// kept).
	hasScheme, hasAuthority, hasParams, hasQuery, hasFragment bool
	// host is the authority without user info and port.
	host string
}

var schemeRe = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9+.-]*):`)

// parseURI splits s in socket.url.parse's order: fragment, scheme,
// authority, query, params, path.
func parseURI(s string) uri {
	var u uri
	if i := strings.IndexByte(s, '#'); i >= 0 {
		u.fragment, u.hasFragment, s = s[i+1:], true, s[:i]
	}
	if m := schemeRe.FindStringSubmatch(s); m != nil {
		u.scheme, u.hasScheme, s = m[1], true, s[len(m[0]):]
	}
	if rest, ok := strings.CutPrefix(s, "//"); ok {
		end := strings.IndexByte(rest, '/')
		if end < 0 {
			end = len(rest)
		}
		u.authority, u.hasAuthority, s = rest[:end], true, rest[end:]
	}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		u.query, u.hasQuery, s = s[i+1:], true, s[:i]
	}
	if i := strings.IndexByte(s, ';'); i >= 0 {
		u.params, u.hasParams, s = s[i+1:], true, s[:i]
	}
	u.path = s
	if u.hasAuthority {
		host := u.authority
		if i := strings.IndexByte(host, '@'); i >= 0 {
			host = host[i+1:]
		}
		// a trailing ":port" (no ":" or "]" in it) goes
		if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.ContainsRune(host[i+1:], ']') {
			host = host[:i]
		}
		if len(host) > 2 && host[0] == '[' && host[len(host)-1] == ']' {
			host = host[1 : len(host)-1]
		}
		u.host = host
	}
	return u
}

// String is socket.url.build of the parsed parts.
func (u uri) String() string {
	var b strings.Builder
	if u.hasScheme {
		b.WriteString(u.scheme + ":")
	}
	if u.hasAuthority {
		b.WriteString("//" + u.authority)
	}
	b.WriteString(u.path)
	if u.hasParams {
		b.WriteString(";" + u.params)
	}
	if u.hasQuery {
		b.WriteString("?" + u.query)
	}
	if u.hasFragment {
		b.WriteString("#" + u.fragment)
	}
	return b.String()
}

// validateRedirectURI is Kong's check of each redirect_uris element: a
// scheme and a host, no fragment.
func validateRedirectURI(v any) error {
	s := v.(string)
	u := parseURI(s)
	if !u.hasScheme || u.host == "" {
		return fmt.Errorf("cannot parse '%s'", s)
	}
	if u.hasFragment {
		return fmt.Errorf("fragment not allowed in '%s'", s)
	}
	return nil
}
