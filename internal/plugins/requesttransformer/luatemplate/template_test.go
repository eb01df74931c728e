package luatemplate

import (
	"math"
	"strings"
	"testing"
)

type mapEnv map[string]Value

func (m mapEnv) Global(name string) Value { return m[name] }

func testEnv() mapEnv {
	headers := NewTableIndexed(func(t *Table, key string) Value {
		return t.RawGet(strings.ReplaceAll(strings.ToLower(key), "_", "-"))
	})
	headers.Set("host", "example.test")
	headers.Set("x-foo", FromGo([]string{"1", "2"}))
	headers.Set("user-agent", "curl")
	captures := NewTable()
	captures.Set(0.0, "/user1/foo")
	captures.Set(1.0, "foo")
	captures.Set("user1", "foo")
	return mapEnv{
		"headers":      headers,
		"query_params": FromGo(map[string]any{"q": "20", "flag": true, "n": "5"}),
		"uri_captures": captures,
		"shared": FromGo(map[string]any{"version": "1.2.3", "n": 3, "big": int64(1e13), "small": uint(1), "f": float32(2.5),
			"obj": struct{}{}, "list": []string{"a", "b"}, "map": map[string]string{"k": "v"}}),
		"type":    Type,
		"require": Require,
	}
}

func render(t *testing.T, tmpl string) (string, error) {
	t.Helper()
	tm, err := Compile(tmpl)
	if err != nil {
		t.Fatalf("compile %q: %v", tmpl, err)
	}
	return tm.Render(testEnv())
}

func TestRender(t *testing.T) {
	for _, c := range []struct{ tmpl, want string }{
		{"plain value", "plain value"},
		{"#value_with_hash", "#value_with_hash"},
		{"$(headers.host)", "example.test"},
		{"$(headers['Host'])", "example.test"},
		{"$(headers.user_agent)", "curl"},
		{`$(headers["User-Agent"])`, "curl"},
		{"/requests$(uri_captures[0])", "/requests/user1/foo"},
		{"$(uri_captures.user1)-$(uri_captures[1])", "foo-foo"},
		{"$(uri_captures.user2 or 'default2')", "default2"},
		{"$(uri_captures.user2)", ""},
		{"$(query_params.q)", "20"},
		{"$(query_params.flag)", "true"},
		{"$(10 * query_params.n)", "50"},
		{"$(query_params.n / 2)", "2.5"},
		{"$(7 % 3)$(2^10)$(-query_params.n)", "11024-5"},
		{"$(-2 ^ 2)$(1 .. 2)", "-412"},
		{"$(1e15)$(0x10)$(.5)", "1e+15160.5"},
		{"$(shared.version)", "1.2.3"},
		{"$(shared.n + 1)", "4"},
		{"$('$(uri_captures.user1)')", "$(uri_captures.user1)"},
		{`$(type(headers["X-Foo"]) == "table" and headers["X-Foo"][1] .. "-first" or headers["X-Foo"])`, "1-first"},
		{"$(type(headers.host))$(type(nil))$(type{})", "stringniltable"},
		{"$(#headers.host)$(#headers['x-foo'])", "122"},
		{"$(headers.host:upper())", "EXAMPLE.TEST"},
		{"$(headers.host:sub(1, 7))$(('abc'):sub(-2))", "examplebc"},
		{"$(('abc'):rep(2))$(('abc'):len())$(('abc'):byte())", "abcabc397"},
		{"$(not nil)$(nil == false)$(1 < 2)$(2 >= 3)$('a' < 'b')$(1 ~= 2)", "truetruetruetrue"},
		{"$(false)", ""},
		{"$(unbalanced", "$(unbalanced"},
		{"$$(1)", "$1"},
		{"$(({1, 2, x = 3; ['y'] = 4}).y)$(#{1, 2})", "42"},
		{"$([[long]] .. [==[er]==])", "longer"},
		{`$("a\tb\65\x42\z   c\\")`, "a\tbABc\\"},
		{"$(headers.host --[[ comment ]])", "example.test"},
		{"$(type == type)$(type == require)$(headers == headers)$({} == {})$(1 == '1')", "truetrue"},
		{"$(type'x')$(headers.host.x)$(1/0)$(-1/0)", "stringinf-inf"},
		{"$(shared.big)$(shared.small)$(shared.f)$(type(shared.obj))", "1000000000000012.5userdata"},
		{"$(shared.list[2])$(shared.map.k)$(#shared.list)", "bv2"},
	} {
		got, err := render(t, c.tmpl)
		if err != nil || got != c.want {
			t.Errorf("%q = %q, %v; want %q", c.tmpl, got, err, c.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, c := range []struct{ tmpl, want string }{
		{"$(uri_captures user2)", `[string "TMP"]:1: ')' expected near 'user2'`},
		{"a$()b", `[string "TMP"]:1: unexpected symbol near ')'`},
		{"$(a +)", `[string "TMP"]:1: unexpected symbol near ')'`},
		{"$(shared.written = true)", `[string "TMP"]:1: ')' expected near '='`},
		{"x\n$(a b)", `[string "TMP"]:2: ')' expected near 'b'`},
		{"$(a.)", `[string "TMP"]:1: '<name>' expected near ')'`},
		{"$('abc)", `[string "TMP"]:1: unfinished string near ''abc)'`},
		{`$("\q")`, `[string "TMP"]:1: invalid escape sequence near '"\q'`},
		{"$(3x)", `[string "TMP"]:1: malformed number near '3x'`},
		{"$(...)", `[string "TMP"]:1: cannot use '...' outside a vararg function near '...'`},
		{"$(a -- comment)", `[string "TMP"]:1: ')' expected near '<eof>'`},
		{"$(f(a,\n b c))", `[string "TMP"]:2: ')' expected (to close '(' at line 1) near 'c'`},
		{"$({1}.x)", `[string "TMP"]:1: ')' expected near '.'`},
		{"$(a @ b)", `[string "TMP"]:1: unexpected symbol near '@'`},
		{"$(headers[1 2])", `[string "TMP"]:1: ']' expected near '2'`},
		{"$(f:g)", `[string "TMP"]:1: function arguments expected near ')'`},
		{"$([[abc)", `[string "TMP"]:1: unfinished long string near '<eof>'`},
		{"$(function() end)", `[string "TMP"]:1: function definitions are not supported in templates near 'function'`},
		{"$(1, nil)", `[string "TMP"]:1: ')' expected near ','`},
	} {
		_, err := Compile(c.tmpl)
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: %v; want %s", c.tmpl, err, c.want)
		}
	}
}

func TestRuntimeErrors(t *testing.T) {
	for _, c := range []struct{ tmpl, want string }{
		{"$(ERROR())", `[string "TMP"]:1: attempt to call global 'ERROR' (a nil value)`},
		{`$(foo(headers["User-Agent"]))`, `[string "TMP"]:1: attempt to call global 'foo' (a nil value)`},
		{"$(string.sub(query_params.q, 1, 3))", `[string "TMP"]:1: attempt to index global 'string' (a nil value)`},
		{"$(headers.missing.x)", `[string "TMP"]:1: attempt to index field 'missing' (a nil value)`},
		{"$(10 * uri_captures.user1)", `[string "TMP"]:1: attempt to perform arithmetic on field 'user1' (a string value)`},
		{"$(query_params.flag .. 'x')", `[string "TMP"]:1: attempt to concatenate field 'flag' (a boolean value)`},
		{"$(#nothing)", `[string "TMP"]:1: attempt to get length of global 'nothing' (a nil value)`},
		{"$(1 < nil)", `[string "TMP"]:1: attempt to compare number with nil`},
		{"$(1 > nil)", `[string "TMP"]:1: attempt to compare nil with number`},
		{"$({} < {})", `[string "TMP"]:1: attempt to compare two table values`},
		{"$(headers.host:nope())", `[string "TMP"]:1: attempt to call method 'nope' (a nil value)`},
		{"$(require('inspect')('x'))", `require 'inspect' not allowed within sandbox`},
		{"$(type())", `bad argument #1 to 'type' (value expected)`},
		{"$(('x'):rep(1e9))", `resulting string too large`},
		{"$(('x'):sub('a'))", `bad argument #2 to 'sub' (number expected, got string)`},
		{"$(('x').sub())", `bad argument #1 to 'sub' (string expected, got no value)`},
		{"$(('x').upper({}))", `bad argument #1 to 'upper' (string expected, got table)`},
		{"$(('x'):rep())", `bad argument #2 to 'rep' (number expected, got no value)`},
		{"$((1)())", `[string "TMP"]:1: attempt to call a number value`},
		{"$(nil .. 'x')", `[string "TMP"]:1: attempt to concatenate a nil value`},
		{"$((1).x)", `[string "TMP"]:1: attempt to index a number value`},
		{"$(1 + {})", `[string "TMP"]:1: attempt to perform arithmetic on a table value`},
	} {
		_, err := render(t, c.tmpl)
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: %v; want %s", c.tmpl, err, c.want)
		}
	}
}

func TestStatic(t *testing.T) {
	tm, _ := Compile("no (expressions) $ here")
	if s, ok := tm.Static(); !ok || s != "no (expressions) $ here" {
		t.Errorf("static = %q %v", s, ok)
	}
	tm, _ = Compile("a $(b)")
	if _, ok := tm.Static(); ok {
		t.Error("a template with an expression is not static")
	}
}

func TestToString(t *testing.T) {
	for _, c := range []struct {
		v      Value
		prefix string
	}{{NewTable(), "table: 0x"}, {Type, "function: 0x"}, {Userdata{V: 1}, "userdata: 0x"}} {
		if s := ToString(c.v); !strings.HasPrefix(s, c.prefix) {
			t.Errorf("ToString(%T) = %q", c.v, s)
		}
	}
	for f, want := range map[float64]string{math.NaN(): "nan", math.Copysign(math.NaN(), -1): "-nan", 1e100: "1e+100", -0.25: "-0.25"} {
		if s := FormatNumber(f); s != want {
			t.Errorf("FormatNumber(%v) = %q, want %q", f, s, want)
		}
	}
	if s := ToString(nil) + ToString(false); s != "nilfalse" {
		t.Errorf("ToString(nil, false) = %q", s)
	}
}

func TestToNumber(t *testing.T) {
	for s, want := range map[string]float64{" 10 ": 10, "0x1F": 31, "-2.5e1": -25, ".5": 0.5, "5.": 5, "-0x10": -16, "1e400": math.Inf(1)} {
		if f, ok := ToNumber(s); !ok || f != want {
			t.Errorf("ToNumber(%q) = %v %v", s, f, ok)
		}
	}
	for _, s := range []string{"", "inf", "nan", "1_000", "1e", "0x", "abc", "1 2"} {
		if _, ok := ToNumber(s); ok {
			t.Errorf("ToNumber(%q) accepted", s)
		}
	}
}
