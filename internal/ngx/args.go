// Package ngx holds the nginx and OpenResty primitives Kong's plugins are
// written against (ngx.decode_args and the like), so that the plugins
// reproduce them from one place.
package ngx

import "strings"

// MaxArgs is how many arguments ngx.req.get_uri_args and ngx.decode_args
// return by default; further ones are dropped.
const MaxArgs = 100

// DecodeArgs decodes a query string or urlencoded form as
// ngx.decode_args does: a value is a string, true for a name without
// "=", or an []any of them for a repeated name; names are unescaped with
// "+" as space, empty names are dropped, and at most MaxArgs pairs are
// read.
func DecodeArgs(s string) map[string]any {
	args := map[string]any{}
	for count := 0; s != ""; count++ {
		if count == MaxArgs {
			break
		}
		pair, rest, more := strings.Cut(s, "&")
		s = rest
		var name string
		var value any = true
		if k, v, ok := strings.Cut(pair, "="); ok {
			name, value = UnescapeArg(k), UnescapeArg(v)
		} else {
			name = UnescapeArg(pair)
		}
		if name != "" {
			switch cur := args[name].(type) {
			case nil:
				args[name] = value
			case []any:
				args[name] = append(cur, value)
			default:
				args[name] = []any{cur, value}
			}
		}
		if !more {
			break
		}
	}
	return args
}

// UnescapeArg is ngx.unescape_uri for arguments: it decodes %XX escapes and "+" as space; a "%" not followed
// by two hexadecimal digits is kept.
func UnescapeArg(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f' }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return (c | 0x20) - 'a' + 10
}
