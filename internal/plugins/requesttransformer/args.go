package requesttransformer

import (
	"errors"
	"slices"
	"strings"
)

// errNestedArg is ngx.encode_args' error for an array inside an array.
var errNestedArg = errors.New("attempt to use table as query arg value")

// encodeArgs encodes arguments as kong.service.request.set_query does:
// each name encoded alone by ngx.encode_args ("name=value", "name" for
// true, one pair per value of an array), the pieces sorted and joined
// with "&".
func encodeArgs(args map[string]any) (string, error) {
	pieces := make([]string, 0, len(args))
	for name, v := range args {
		var b strings.Builder
		values, ok := v.([]any)
		if !ok {
			values = []any{v}
		}
		for _, v := range values {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			switch x := v.(type) {
			case string:
				b.WriteString(escapeArg(name))
				b.WriteByte('=')
				b.WriteString(escapeArg(x))
			case bool:
				b.WriteString(escapeArg(name))
			default:
				return "", errNestedArg
			}
		}
		pieces = append(pieces, b.String())
	}
	slices.Sort(pieces)
	return strings.Join(pieces, "&"), nil
}

// escapeArg escapes as ngx.escape_uri (URI component): every byte but
// letters, digits and - . _ ~ ! * ' ( ).
func escapeArg(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !argSafe(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; argSafe(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func argSafe(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("-._~!*'()", c) >= 0
}

// appendValue is Kong's append_value: a string becomes an array of it and
// v, an array gets v (an object, as a Lua table, gets it at the next
// position), anything else is replaced by an array of v alone. A nil v
// appends nothing.
func appendValue(cur, v any) any {
	add := func(list []any) []any {
		if v == nil {
			return list
		}
		return append(list, v)
	}
	switch x := cur.(type) {
	case string:
		return add([]any{x})
	case []any:
		return add(x)
	case map[string]any:
		if v != nil {
			x[nextIndex(x)] = v
		}
		return x
	}
	return add([]any{})
}
