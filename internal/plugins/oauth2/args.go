package oauth2

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// encodeArgs is Kong's kong.tools.http.encode_args: names sorted, values
// escaped as escapeURL does, true and numbers as Lua prints them, an empty
// string as the bare name, arrays as name[1]=…, objects as name.key=….
func encodeArgs(args map[string]any) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(args)) {
		switch v := args[k].(type) {
		case nil:
		case []any, map[string]any:
			parts = encodeNested(parts, k, v)
		default:
			if s := luaString(v); s != "" {
				parts = append(parts, escapeURL(k)+"="+escapeURL(s))
			} else {
				parts = append(parts, k)
			}
		}
	}
	return strings.Join(parts, "&")
}

func encodeNested(parts []string, key string, v any) []string {
	add := func(sub string, x any) {
		switch x := x.(type) {
		case []any, map[string]any:
			parts = encodeNested(parts, sub, x)
		default:
			parts = append(parts, escapeURL(sub)+"="+escapeURL(luaString(x)))
		}
	}
	switch v := v.(type) {
	case []any:
		for i, x := range v {
			add(key+"["+strconv.Itoa(i+1)+"]", x)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			add(key+"."+k, v[k])
		}
	}
	return parts
}

// luaString is Lua's tostring of a scalar decoded from a request.
func luaString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'g', 14, 64)
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return ""
}

// escapeURL is LuaSocket's socket.url.escape: every byte but letters,
// digits and '_' as %xx, in lower case.
func escapeURL(s string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
