package ngx

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestDecodeArgs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want map[string]any
	}{
		{"", map[string]any{}},
		{"a=1&b=x+y%20z&c", map[string]any{"a": "1", "b": "x y z", "c": true}},
		{"a=1&a=2&a", map[string]any{"a": []any{"1", "2", true}}},
		{"=x&&%zz=%4", map[string]any{"%zz": "%4"}},
	} {
		if got := DecodeArgs(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("DecodeArgs(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	var many []string
	for i := range MaxArgs + 5 {
		many = append(many, "k"+strconv.Itoa(i)+"=v")
	}
	if got := DecodeArgs(strings.Join(many, "&")); len(got) != MaxArgs {
		t.Errorf("%d arguments read, want %d", len(got), MaxArgs)
	}
}

func TestDecodeBase64(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"dXNlcjpwYXNz", "user:pass", true},
		{"dXNlcjpwYQ==", "user:pa", true},
		{"dXNlcjpwYQ", "user:pa", true},
		{"dXNlcjpwYQ=garbage", "user:pa", true},
		{"dXNl\ncjpwYQ", "", false},
		{"!!!", "", false},
	} {
		got, err := DecodeBase64(c.in)
		if (err == nil) != c.ok || c.ok && string(got) != c.want {
			t.Errorf("DecodeBase64(%q) = %q, %v", c.in, got, err)
		}
	}
}

func TestCookie(t *testing.T) {
	lines := []string{"a=1; Session=abc; b=", "c=3, d=4"}
	for _, c := range []struct {
		name, want string
		ok         bool
	}{
		{"session", "abc", true}, {"a", "1", true}, {"b", "", true}, {"d", "4", true}, {"e", "", false}, {"sess", "", false},
	} {
		if got, ok := Cookie(lines, c.name); got != c.want || ok != c.ok {
			t.Errorf("Cookie(%q) = %q, %v", c.name, got, ok)
		}
	}
}
