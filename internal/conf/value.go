package conf

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// props holds typed property values by name: a string, a float64
// (Number), a bool (Boolean) or a []string (Array); NgxBoolean values are
// the strings "on" and "off". Unset properties are absent.
type props map[string]any

func (p props) str(k string) (string, bool) {
	s, ok := p[k].(string)
	return s, ok
}

func (p props) num(k string) (float64, bool) {
	n, ok := p[k].(float64)
	return n, ok
}

func (p props) flag(k string) bool {
	b, _ := p[k].(bool)
	return b
}

func (p props) list(k string) []string {
	l, _ := p[k].([]string)
	return l
}

// typed converts raw text to a property's type, as Kong's parse_value does.
// ok is false when the property ends up unset (an empty String or Number).
// A non-numeric Number is an error (Kong silently unsets it); booleans never
// fail, as in Kong, but text other than on/off/true/false yields a warning.
func typed(key, raw string) (v any, ok bool, warn string, err *Error) {
	s := strings.Trim(raw, luaSpace)
	switch typeOf(key) {
	case Number:
		if s == "" {
			return nil, false, "", nil
		}
		n, nerr := luaNumber(s)
		if nerr != nil {
			return nil, false, "", newError(key, "%s is not a %s: '%s'", key, Number, s)
		}
		return n, true, "", nil
	case Boolean:
		switch s {
		case "on", "true":
			return true, true, "", nil
		case "off", "false", "":
		default:
			warn = fmt.Sprintf("%s: '%s' is not one of on, off, true, false; using off", key, s)
		}
		return false, true, warn, nil
	case NgxBoolean:
		switch s {
		case "on":
			return "on", true, "", nil
		case "off", "":
		default:
			warn = fmt.Sprintf("%s: '%s' is not one of on, off; using off", key, s)
		}
		return "off", true, warn, nil
	case Array:
		return splitList(s), true, "", nil
	default:
		if s == "" {
			return nil, false, "", nil
		}
		return s, true, "", nil
	}
}

// luaNumber parses text the way Lua's tonumber does for configuration
// values: decimal integers and floats, exponents and 0x hexadecimal
// integers. Infinities and NaN are rejected.
func luaNumber(s string) (float64, error) {
	body := strings.TrimLeft(s, "+-")
	if len(body) > 2 && (body[:2] == "0x" || body[:2] == "0X") && len(s)-len(body) <= 1 {
		u, err := strconv.ParseUint(body[2:], 16, 64)
		if err != nil {
			return 0, err
		}
		n := float64(u)
		if s[0] == '-' {
			n = -n
		}
		return n, nil
	}
	for _, c := range body {
		if !('0' <= c && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return 0, strconv.ErrSyntax
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0, strconv.ErrSyntax
	}
	return n, nil
}

// splitList splits a comma-separated list like Penlight's stringx.split
// with Kong's trimming: "" is the empty list, "," is [""], and otherwise
// every comma separates two elements (so "a," is ["a", ""]).
func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	if s == "," {
		return []string{""}
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.Trim(p, luaSpace)
	}
	return parts
}

// format renders a typed value as Kong's tostring/concat would for
// .kong_env: numbers in plain digits, booleans as true/false, arrays joined
// with ",". The one-element list [""] is written "," (Penlight's split
// reads "," back as [""]).
func format(v any) string {
	switch v := v.(type) {
	case float64:
		return formatNumber(v)
	case bool:
		return strconv.FormatBool(v)
	case []string:
		if len(v) == 1 && v[0] == "" {
			return ","
		}
		return strings.Join(v, ",")
	case string:
		return v
	default:
		panic(fmt.Sprintf("conf: untyped value %T", v))
	}
}

// formatNumber prints integers in plain digits, as Lua does, and other
// numbers in the shortest form that reads back exactly.
func formatNumber(n float64) string {
	if n == math.Trunc(n) && math.Abs(n) < 1e15 {
		return strconv.FormatInt(int64(n), 10)
	}
	return strconv.FormatFloat(n, 'g', -1, 64)
}
