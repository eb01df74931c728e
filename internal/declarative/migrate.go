package declarative

import (
	"strconv"
	"strings"
)

// Route paths of _format_version 1.1 and 2.1 files are converted on the fly
// as Kong does (kong/db/declarative/migrations/route_path.lua with
// kong/db/migrations/migrate_path_280_300.lua): before 3.0 a path was a
// regex whenever it had a regex character, and paths were percent-decoded.

// migrate returns doc with the paths of its top-level routes and of the
// routes nested in its top-level services migrated, and _format_version
// 3.0. doc itself is not modified.
func migrate(doc map[string]any) map[string]any {
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		out[k] = v
	}
	out[keyFormatVersion] = "3.0"
	if routes, ok := doc["routes"].([]any); ok {
		out["routes"] = migrateRoutes(routes)
	}
	services, ok := doc["services"].([]any)
	if !ok {
		return out
	}
	migrated := make([]any, len(services))
	for i, s := range services {
		migrated[i] = s
		svc, ok := s.(map[string]any)
		if !ok {
			continue
		}
		if routes, ok := svc["routes"].([]any); ok {
			c := copyMap(svc)
			c["routes"] = migrateRoutes(routes)
			migrated[i] = c
		}
	}
	out["services"] = migrated
	return out
}

func migrateRoutes(routes []any) []any {
	out := make([]any, len(routes))
	for i, r := range routes {
		out[i] = r
		route, ok := r.(map[string]any)
		if !ok {
			continue
		}
		paths, ok := route["paths"].([]any)
		if !ok {
			continue
		}
		np := make([]any, len(paths))
		for j, p := range paths {
			np[j] = p
			if s, ok := p.(string); ok {
				np[j] = migratePath(s)
			}
		}
		c := copyMap(route)
		c["paths"] = np
		out[i] = c
	}
	return out
}

func copyMap(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// migratePath normalizes a plain path (only [a-zA-Z0-9.-_~/%]) and turns
// anything else into a 3.0 regex path: "~" and the pattern with
// percent-encoded characters decoded, regex metacharacters escaped.
func migratePath(p string) string {
	if isPlainPath(p) {
		return normalizePath(p)
	}
	return "~" + decodeRegexPath(p)
}

func isPlainPath(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".-_~/%", c) >= 0) {
			return false
		}
	}
	return true
}

// reservedChars are RFC 3986's reserved characters (and %, #), kept encoded.
const reservedChars = "!#$%&'()*+,/:;=?@[]"

// regexMeta are the characters a decoded regex path must escape.
var regexMeta = map[byte]string{'.': `\.`, '^': `\^`, '-': `\-`, '{': `\{`, '}': `\}`, '\\': `\\`, '|': `\|`}

func decodeRegexPath(p string) string {
	return replacePercent(p, func(c byte, triplet string) string {
		if strings.IndexByte(reservedChars, c) >= 0 {
			return strings.ToUpper(triplet)
		}
		if esc, ok := regexMeta[c]; ok {
			return esc
		}
		return string([]byte{c})
	})
}

// replacePercent replaces every %XX (hex, any case) by repl's result.
func replacePercent(s string, repl func(c byte, triplet string) string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			n, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteString(repl(byte(n), s[i:i+3]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// normalizePath is Kong's kong.tools.uri normalize with merged slashes:
// percent-decode all but reserved characters (upper-casing those), then
// remove dot segments and merge repeated slashes.
func normalizePath(uri string) string {
	if uri == "" || uri == "/" {
		return uri
	}
	uri = replacePercent(uri, func(c byte, triplet string) string {
		if strings.IndexByte(reservedChars, c) >= 0 {
			return strings.ToUpper(triplet)
		}
		return string([]byte{c})
	})
	if !strings.Contains(uri, ".") && !strings.Contains(uri, "//") {
		return uri
	}
	var out []string
	for uri != "" {
		switch {
		case uri == "/.":
			uri = "/"
		case uri == "/..":
			uri = "/"
			out = dropLast(out)
		case uri == "." || uri == "..":
			uri = ""
		case strings.HasPrefix(uri, "../"):
			uri = uri[3:]
		case strings.HasPrefix(uri, "./"):
			uri = uri[2:]
		case strings.HasPrefix(uri, "/./"):
			uri = uri[2:]
		case strings.HasPrefix(uri, "/../"):
			uri = uri[3:]
			out = dropLast(out)
		case strings.HasPrefix(uri, "//"):
			uri = uri[1:]
		default:
			i := strings.IndexByte(uri[1:], '/')
			if i < 0 {
				out = append(out, uri)
				uri = ""
			} else {
				out = append(out, uri[:i+1])
				uri = uri[i+1:]
			}
		}
	}
	return strings.Join(out, "")
}

func dropLast(s []string) []string {
	if len(s) > 0 {
		return s[:len(s)-1]
	}
	return s
}
