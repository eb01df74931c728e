package declarative

import (
	"strings"
	"testing"
)

func TestLuaQuote(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{`say "hi"`, `"say \"hi\""`},
		{`back\slash`, `"back\\slash"`},
		{"bell\a", `"bell\7"`},
		{"nul\x00" + "1", `"nul\0001"`},
		{"del\x7f", `"del\127"`},
		{"two\nlines", "[[two\nlines]]"},
		{"\nleading", "[[\n\nleading]]"},
		{"has ]] inside", "[=[has ]] inside]=]"},
		{"has ]=] and\nline", "[==[has ]=] and\nline]==]"},
		{"cr\r\nlf", `"cr\13\` + "\n" + `lf"`},
		{"ends with ]", "[=[ends with ]]=]"},
	}
	for _, tt := range tests {
		if got := luaQuote(tt.in); got != tt.want {
			t.Errorf("luaQuote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestLuaTable(t *testing.T) {
	t.Parallel()
	n := newNode()
	n.sub("services").at(1).set("host", "required field missing")
	n.sub("services").setPos(3, "x")
	n.sub("routes").set("my-route", "a")
	n.sub("routes").set("end", "b")
	n.sub("routes").set("ok_name", "c")
	n.sub("plugins").setPos(2, "p")
	n.sub("plugins").set("name", "q")
	want := `{plugins={name="q",[2]="p"},routes={["end"]="b",["my-route"]="a",ok_name="c"},services={{host="required field missing"},[3]="x"}}`
	if got := n.lua(); got != want {
		t.Errorf("lua:\n got %s\nwant %s", got, want)
	}
}

func TestPretty(t *testing.T) {
	t.Parallel()
	err := mustFail(t, "bobby tables")
	if got, want := err.Pretty(), "failed parsing declarative configuration: expected an object"; got != want {
		t.Errorf("Pretty() = %q, want %q", got, want)
	}
	err = mustFail(t, "_format_version: \"3.0\"\nservices:\n- port: -1\n  host: example.com\n")
	want := strings.Join([]string{
		"in 'services':",
		"  - in entry 1 of 'services':",
		"    in 'port': value should be between 0 and 65535",
	}, "\n")
	if got := err.Pretty(); got != want {
		t.Errorf("Pretty():\n%s\nwant:\n%s", got, want)
	}
	se := err.StoreError()
	if se.Code != 14 || se.Name != "invalid declarative configuration" || se.Message != err.Error() || se.Fields["services"] == nil {
		t.Errorf("StoreError() = %+v", se)
	}
}

func TestParseFailures(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, input, want string }{
		{"list", "[1, 2]", "expected an object"},
		{"scalar", "42", "expected an object"},
		{"comments only", "# nothing\n", "expected an object"},
		{"bad yaml", "a: [b\n", "line 1: did not find expected ',' or ']'"},
		{"bad json is tried as yaml", `{"a": [}`, "did not find expected node content"},
		{"self-referencing anchor", "a: &a [*a]\n", "line 1: anchor 'a' value contains itself"},
		{"alias bomb", aliasBomb(), "document contains excessive aliasing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := mustFail(t, tt.input)
			got, _ := err.Fields()["error"].(string)
			if !strings.HasPrefix(got, parsePrefix+": ") || !strings.Contains(got, tt.want) {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
			if len(err.FlattenedErrors()) != 0 {
				t.Errorf("a parse failure has flattened errors")
			}
		})
	}
}

// aliasBomb is a small document whose aliases expand to 10^9 nodes.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("_format_version: \"3.0\"\n_ignore:\n- &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		prev := "*a" + string(rune('0'+i-1))
		b.WriteString("- &a" + string(rune('0'+i)) + " [" + strings.Repeat(prev+", ", 9) + prev + "]\n")
	}
	return b.String()
}
