package router

import "strings"

// UpstreamPath builds the path sent upstream for a matched request, given
// the service path ("" means "/"): Kong's v0 path handling, the only one of
// the traditional_compatible router, whatever the route's path_handling says
// (kong/router/utils.lua get_upstream_uri_v0). The result is escaped for
// the request line (kong/tools/uri.lua escape); the query string is not
// included, the proxy appends it.
//
//	service path ends with "/", strip_path, nothing left after the prefix:
//	    "/" stays "/"; a request ending in "/" gets the service path, else it without its "/"
//	... strip_path, rest starts with "/":  service path without its "/" + rest
//	... strip_path, other rest:           service path + rest
//	... no strip_path:                    service path + request path without its leading "/"
//	service path without trailing "/", strip_path, nothing left:
//	    a request ending in "/" (other than "/") gets service path + "/", else the service path
//	... strip_path, rest starts with "/":  service path + rest
//	... strip_path, other rest:           service path + "/" + rest
//	... no strip_path:                    the service path for "/", else service path + request path
func (m *Match) UpstreamPath(servicePath string) string {
	base, req, rest := m.upstreamParts(servicePath)
	strip := m.Route.StripPath
	var p string
	if strings.HasSuffix(base, "/") {
		switch {
		case !strip:
			p = base + req[min(1, len(req)):]
		case rest == "":
			switch {
			case base == "/":
				p = "/"
			case strings.HasSuffix(req, "/"):
				p = base
			default:
				p = base[:len(base)-1]
			}
		case rest[0] == '/':
			p = base[:len(base)-1] + rest
		default:
			p = base + rest
		}
	} else {
		switch {
		case !strip:
			if req == "/" {
				p = base
			} else {
				p = base + req
			}
		case rest == "":
			if len(req) > 1 && strings.HasSuffix(req, "/") {
				p = base + "/"
			} else {
				p = base
			}
		case rest[0] == '/':
			p = base + rest
		default:
			p = base + "/" + rest
		}
	}
	return escapePath(p)
}

// UpstreamPathV1 builds the upstream path with the deprecated v1 path
// handling, which only Kong's traditional router honours (routes with
// path_handling "v1"); it is here for completeness. With strip_path the
// rest of the path is appended to the service path, dropping one "/" when
// both sides have it; without, the request path minus its leading "/" is.
func (m *Match) UpstreamPathV1(servicePath string) string {
	base, req, rest := m.upstreamParts(servicePath)
	var p string
	switch {
	case !m.Route.StripPath:
		p = base + req[min(1, len(req)):]
	case strings.HasSuffix(base, "/") && strings.HasPrefix(rest, "/"):
		p = base[:len(base)-1] + rest
	default:
		p = base + rest
	}
	return escapePath(p)
}

// upstreamParts returns the service path (default "/"), the normalized
// request path and what follows the stripped prefix ("/" when nothing was
// matched), cleaned of a leading "./" or "../" (Kong's sanitize_uri_postfix).
// Kong cuts the prefix by length, so does this.
func (m *Match) upstreamParts(servicePath string) (base, req, rest string) {
	base = servicePath
	if base == "" {
		base = "/"
	}
	req = m.Path
	prefix := m.MatchedPrefix
	if prefix == "" {
		prefix = "/"
	}
	if len(prefix) < len(req) {
		rest = req[len(prefix):]
	}
	switch {
	case rest == "." || rest == "..":
		rest = ""
	case strings.HasPrefix(rest, "./"):
		rest = rest[2:]
	case strings.HasPrefix(rest, "../"):
		rest = rest[3:]
	}
	return base, req, rest
}

// escapePath percent-encodes every byte outside
// !#$&'()*+,/:;=?@[]A-Za-z0-9-_.~% (kong/tools/uri.lua escape): what
// normalization decoded, such as spaces, goes upstream encoded again.
func escapePath(p string) string {
	n := 0
	for i := 0; i < len(p); i++ {
		if !pathSafe(p[i]) {
			n++
		}
	}
	if n == 0 {
		return p
	}
	b := make([]byte, 0, len(p)+2*n)
	for i := 0; i < len(p); i++ {
		c := p[i]
		if pathSafe(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', upperHex[c>>4], upperHex[c&15])
	}
	return string(b)
}

func pathSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&'()*+,/:;=?@[]-_.~%", c) >= 0
}
