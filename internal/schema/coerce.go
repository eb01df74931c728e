package schema

import (
	"encoding/json"
	"math"
	"strconv"
)

// toInt64 converts the numeric forms decoders produce to int64 when the
// value is integral.
func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case uint64:
		if n > math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	case float64:
		if n != math.Trunc(n) || math.IsInf(n, 0) || n > 1<<62 || n < -(1<<62) {
			return 0, false
		}
		return int64(n), true
	case json.Number:
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i, true
		}
		if f, err := n.Float64(); err == nil {
			return toInt64(f)
		}
	}
	return 0, false
}

// toFloat64 converts the numeric forms decoders produce to float64.
func toFloat64(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, !math.IsNaN(n)
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// toSlice accepts the array forms decoders produce. An empty object counts as
// an empty array, as an empty Lua table does in Kong.
func toSlice(v any) ([]any, bool) {
	switch a := v.(type) {
	case []any:
		return a, true
	case []string:
		out := make([]any, len(a))
		for i, s := range a {
			out[i] = s
		}
		return out, true
	case map[string]any:
		if len(a) == 0 {
			return []any{}, true
		}
	}
	return nil, false
}

// toMap accepts the object forms decoders produce.
func toMap(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case map[any]any: // older YAML decoders
		out := make(map[string]any, len(m))
		for k, x := range m {
			ks, ok := k.(string)
			if !ok {
				return nil, false
			}
			out[ks] = x
		}
		return out, true
	case []any:
		if len(m) == 0 { // an empty Lua table is also an empty record
			return map[string]any{}, true
		}
	}
	return nil, false
}

// Equal reports whether two values of the JSON data model are equal, with
// integers and floats of the same value equal.
func Equal(a, b any) bool {
	if fa, ok := toFloat64(a); ok {
		fb, ok := toFloat64(b)
		return ok && fa == fb
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case []any:
		y, ok := toSlice(b)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := toMap(b)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	}
	return false
}
