package admin

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var luaIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// luaTable renders a value as Penlight's pretty.write(t, "") does in Kong's
// error messages: {name="x"}, {service={id="…"}}, keys sorted.
func luaTable(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		key := k
		if !luaIdent.MatchString(k) {
			key = "[" + strconv.Quote(k) + "]"
		}
		parts[i] = key + "=" + luaValue(m[k])
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func luaValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	case map[string]any:
		return luaTable(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = luaValue(e)
		}
		return "{" + strings.Join(parts, ",") + "}"
	case float64:
		return strconv.FormatFloat(x, 'g', 14, 64)
	}
	return fmt.Sprint(v)
}
