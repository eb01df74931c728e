package luatemplate

import (
	"fmt"
	"math"
	"strings"
)

// maxString bounds the strings rep builds.
const maxString = 1 << 20

// Type is Lua's type function.
var Type Function = func(args []Value) (Value, error) {
	if len(args) == 0 {
		return nil, argError(1, "type", "value expected")
	}
	return TypeName(args[0]), nil
}

// Require is the require of Kong's sandbox with no module allowed
// (untrusted_lua_sandbox_requires empty).
var Require Function = func(args []Value) (Value, error) {
	var m Value
	if len(args) > 0 {
		m = args[0]
	}
	return nil, fmt.Errorf("require '%s' not allowed within sandbox", ToString(m))
}

// stringLibrary holds the string functions reachable as methods of
// strings (s:upper()): those that need no Lua patterns.
var stringLibrary = map[string]Function{
	"len": func(args []Value) (Value, error) {
		s, err := stringArg(args, "len")
		return float64(len(s)), err
	},
	"lower": func(args []Value) (Value, error) {
		s, err := stringArg(args, "lower")
		return strings.ToLower(s), err
	},
	"upper": func(args []Value) (Value, error) {
		s, err := stringArg(args, "upper")
		return strings.ToUpper(s), err
	},
	"reverse": func(args []Value) (Value, error) {
		s, err := stringArg(args, "reverse")
		b := []byte(s)
		for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
			b[i], b[j] = b[j], b[i]
		}
		return string(b), err
	},
	"rep": func(args []Value) (Value, error) {
		s, err := stringArg(args, "rep")
		if err != nil {
			return nil, err
		}
		n, err := intArg(args, 2, "rep", nil)
		if err != nil || n <= 0 {
			return "", err
		}
		if float64(len(s))*float64(n) > maxString {
			return nil, fmt.Errorf("resulting string too large")
		}
		return strings.Repeat(s, n), nil
	},
	"sub": func(args []Value) (Value, error) {
		s, err := stringArg(args, "sub")
		if err != nil {
			return nil, err
		}
		one, minusOne := 1, -1
		i, err := intArg(args, 2, "sub", &one)
		if err != nil {
			return nil, err
		}
		j, err := intArg(args, 3, "sub", &minusOne)
		if err != nil {
			return nil, err
		}
		i, j = position(i, len(s)), position(j, len(s))
		i, j = max(i, 1), min(j, len(s))
		if i > j {
			return "", nil
		}
		return s[i-1 : j], nil
	},
	"byte": func(args []Value) (Value, error) {
		s, err := stringArg(args, "byte")
		if err != nil {
			return nil, err
		}
		one := 1
		i, err := intArg(args, 2, "byte", &one)
		if err != nil {
			return nil, err
		}
		i = position(i, len(s))
		if i < 1 || i > len(s) {
			return nil, nil
		}
		return float64(s[i-1]), nil
	},
}

// position turns a negative string position into one from the start.
func position(i, n int) int {
	if i < 0 {
		return n + i + 1
	}
	return i
}

func stringArg(args []Value, fn string) (string, error) {
	if len(args) == 0 {
		return "", argError(1, fn, "string expected, got no value")
	}
	switch v := args[0].(type) {
	case string:
		return v, nil
	case float64:
		return FormatNumber(v), nil
	}
	return "", argError(1, fn, "string expected, got "+TypeName(args[0]))
}

// intArg returns argument n (1-based) as an integer, def when absent.
func intArg(args []Value, n int, fn string, def *int) (int, error) {
	if len(args) < n || args[n-1] == nil {
		if def != nil {
			return *def, nil
		}
		got := "no value"
		if len(args) >= n {
			got = "nil"
		}
		return 0, argError(n, fn, "number expected, got "+got)
	}
	f, ok := toArith(args[n-1])
	if !ok {
		return 0, argError(n, fn, "number expected, got "+TypeName(args[n-1]))
	}
	if f > math.MaxInt32 {
		return math.MaxInt32, nil
	}
	if f < math.MinInt32 {
		return math.MinInt32, nil
	}
	return int(f), nil
}
