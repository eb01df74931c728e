package luatemplate

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Value is a Lua value: nil, bool, float64, string, *Table, Function or
// Userdata.
type Value = any

// Function is a Lua function implemented in Go; it returns one value.
type Function func(args []Value) (Value, error)

// Userdata stands for a Go value with no Lua counterpart (type
// "userdata").
type Userdata struct{ V any }

// Table is a Lua table keyed by strings and numbers.
type Table struct {
	strs map[string]Value
	nums map[float64]Value
	// index is consulted for a string key the table lacks, as a __index
	// metamethod.
	index func(key string) Value
}

// NewTable returns an empty table.
func NewTable() *Table { return &Table{} }

// NewTableIndexed returns an empty table whose missing string keys are
// looked up with index.
func NewTableIndexed(index func(t *Table, key string) Value) *Table {
	t := &Table{}
	t.index = func(key string) Value { return index(t, key) }
	return t
}

// Set assigns t[key] = v; key is a string or a number (other keys are
// ignored), a nil v removes the key.
func (t *Table) Set(key, v Value) {
	switch k := key.(type) {
	case string:
		if v == nil {
			delete(t.strs, k)
			return
		}
		if t.strs == nil {
			t.strs = map[string]Value{}
		}
		t.strs[k] = v
	case float64:
		if v == nil {
			delete(t.nums, k)
			return
		}
		if t.nums == nil {
			t.nums = map[float64]Value{}
		}
		t.nums[k] = v
	}
}

// Append sets t[#t+1] = v.
func (t *Table) Append(v Value) { t.Set(float64(t.Len()+1), v) }

// RawGet returns t[key] without the index function.
func (t *Table) RawGet(key Value) Value {
	switch k := key.(type) {
	case string:
		return t.strs[k]
	case float64:
		return t.nums[k]
	}
	return nil
}

// Get returns t[key], consulting the index function for a missing string
// key.
func (t *Table) Get(key Value) Value {
	if v := t.RawGet(key); v != nil {
		return v
	}
	if k, ok := key.(string); ok && t.index != nil {
		return t.index(k)
	}
	return nil
}

// Len is the # operator: the number of consecutive values from t[1].
func (t *Table) Len() int {
	n := 0
	for t.nums[float64(n+1)] != nil {
		n++
	}
	return n
}

// FromGo converts a Go value (as kong.ctx.shared holds) to a Lua value:
// strings, booleans and numbers as themselves, slices as arrays, maps
// with string keys as tables, nil as nil, anything else as Userdata.
func FromGo(v any) Value {
	switch x := v.(type) {
	case nil, string, bool, float64, *Table, Function:
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	case uint:
		return float64(x)
	case uint64:
		return float64(x)
	case uint32:
		return float64(x)
	case float32:
		return float64(x)
	case []string:
		t := NewTable()
		for _, s := range x {
			t.Append(s)
		}
		return t
	case []any:
		t := NewTable()
		for i, e := range x {
			t.Set(float64(i+1), FromGo(e))
		}
		return t
	case map[string]any:
		t := NewTable()
		for k, e := range x {
			t.Set(k, FromGo(e))
		}
		return t
	case map[string]string:
		t := NewTable()
		for k, e := range x {
			t.Set(k, e)
		}
		return t
	}
	return Userdata{V: v}
}

// TypeName returns Lua's type() of v.
func TypeName(v Value) string {
	switch v.(type) {
	case nil:
		return "nil"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case *Table:
		return "table"
	case Function:
		return "function"
	}
	return "userdata"
}

// ToString is Lua's tostring(v).
func ToString(v Value) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return FormatNumber(x)
	case string:
		return x
	case *Table:
		return fmt.Sprintf("table: %p", x)
	case Function:
		return fmt.Sprintf("function: %p", x)
	}
	return fmt.Sprintf("userdata: %p", &v)
}

// FormatNumber formats a number as LuaJIT's tostring does ("%.14g").
func FormatNumber(f float64) string {
	switch {
	case math.IsNaN(f) && math.Signbit(f):
		return "-nan"
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', 14, 64)
}

// ToNumber converts a string as Lua's arithmetic coercion does: a decimal
// or hexadecimal number with optional surrounding spaces.
func ToNumber(s string) (float64, bool) {
	s = strings.TrimFunc(s, isSpace)
	neg := false
	body := s
	if body != "" && (body[0] == '-' || body[0] == '+') {
		neg, body = body[0] == '-', body[1:]
	}
	if len(body) > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') {
		n, err := strconv.ParseUint(body[2:], 16, 64)
		if err != nil {
			return 0, false
		}
		if neg {
			return -float64(n), true
		}
		return float64(n), true
	}
	if !isDecimal(body) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRangeError(err) {
		return 0, false
	}
	return f, true
}

func isRangeError(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// isDecimal reports whether s is digits with an optional fraction and
// exponent (strconv.ParseFloat also takes "inf", "nan" and underscores,
// which Lua does not).
func isDecimal(s string) bool {
	i, digits := 0, 0
	for i < len(s) && isDigit(s[i]) {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
}

func truthy(v Value) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	}
	return true
}
