package declarative

import (
	"bytes"
	"math"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestYAMLWriter(t *testing.T) {
	t.Parallel()
	strs := []string{"", "plain", "yes", "No", "ON", "null", "~", "~/regex$", "true", "y", "123", "1e3", "0x1F",
		".inf", "-", "- a", "a: b", "a #b", "#c", "'q'", `"dq"`, "back\\slash", "2024-01-02", "10.0.0.1:80",
		" lead", "trail ", "tab\tx", "uni\u00e9", "nel\u0085x", "ls\u2028x", "=", "<<", "@at", "%p", "!tag", "&a", "*a",
		"{x}", "[x]", "multi\nline", "multi\nline\n", "multi\n\n", "\nlead", "line\n  indented\n", "cr\r\nlf",
		"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "a\n#not a comment\n- not a list"}
	list := make([]any, len(strs))
	m := map[string]any{}
	for i, s := range strs {
		list[i] = s
		if s != "" {
			m[s] = s
		}
	}
	doc := map[string]any{
		"strings": list,
		"keys":    m,
		"numbers": []any{int64(0), int64(-5), int64(math.MaxInt64), 1.5, 1700000000.123, math.Inf(1), math.Inf(-1)},
		"other":   []any{nil, true, false, map[string]any{}, []any{}, []any{[]any{"nested"}, []any{}}},
		"records": []any{map[string]any{"a": []any{"x", map[string]any{"b": 1.25}}, "c": map[string]any{"d": nil},
			"e": "multi\nline"}},
	}
	var buf bytes.Buffer
	w := yamlWriter{b: &buf}
	w.mapping(doc, 0)
	got, err := decodeYAML(buf.Bytes())
	if err != nil {
		t.Fatalf("%v in:\n%s", err, buf.String())
	}
	want := map[string]any{}
	for k, v := range doc {
		want[k] = v
	}
	want["numbers"] = []any{int64(0), int64(-5), int64(math.MaxInt64), 1.5, 1700000000.123, math.Inf(1), math.Inf(-1)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s\n%s", diff, buf.String())
	}
}

// FuzzYAMLString checks that every (valid UTF-8) string written by the
// export's writer, as a value and as a key, reads back unchanged.
func FuzzYAMLString(f *testing.F) {
	for _, s := range []string{"plain", "yes", "multi\nline\n", " x", "a: b", "\u0085", "-\n-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || s == "" {
			t.Skip()
		}
		doc := map[string]any{"value": s, "list": []any{s}, "key": map[string]any{s: s}, "records": []any{map[string]any{s: []any{s}}}}
		var buf bytes.Buffer
		yamlWriter{b: &buf}.mapping(doc, 0)
		got, err := decodeYAML(buf.Bytes())
		if err != nil {
			t.Fatalf("%v in:\n%s", err, buf.String())
		}
		if diff := cmp.Diff(any(doc), got); diff != "" {
			t.Fatalf("round trip of %q (-want +got):\n%s\n%s", s, diff, buf.String())
		}
	})
}
