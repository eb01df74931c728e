package declarative

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// yamlWriter writes values of the JSON data model as block YAML in the
// layout of Kong's exports: two-space indented mappings with sorted keys,
// sequences not indented under their key, multi-line strings as literal
// blocks. Strings are plain only when no YAML 1.1 or 1.2 parser can read
// them as anything else; otherwise they are double-quoted. It replaces yaml.v3's encoder, which keeps every event of a
// document and makes large exports slow.
type yamlWriter struct {
	b *bytes.Buffer
}

// maxImplicitKey is the longest key YAML allows without "? ".
const maxImplicitKey = 1000

// entry writes "key: value" at indent, or "? key" and ": value" for keys
// too long to be implicit.
func (w yamlWriter) entry(key string, v any, indent int) {
	w.pad(indent)
	text := scalarText(key)
	if len(text) > maxImplicitKey {
		w.b.WriteString("? " + text + "\n")
		w.pad(indent)
		w.b.WriteByte(':')
		w.after(v, indent+2, indent+2)
		return
	}
	w.b.WriteString(text)
	w.b.WriteByte(':')
	w.after(v, indent, indent+2)
}

// after writes a value that follows "key:" or "-" on the same line: a
// scalar after a space, a collection on the next lines. listIndent is
// where a sequence's dashes go, mapIndent where a mapping's keys go.
func (w yamlWriter) after(v any, listIndent, mapIndent int) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			w.b.WriteString(" {}\n")
			return
		}
		w.b.WriteByte('\n')
		w.mapping(x, mapIndent)
	case []any:
		if len(x) == 0 {
			w.b.WriteString(" []\n")
			return
		}
		w.b.WriteByte('\n')
		w.sequence(x, listIndent)
	case string:
		if block, ok := literalBlock(x, mapIndent); ok {
			w.b.WriteString(block)
			return
		}
		w.b.WriteByte(' ')
		w.scalarString(x)
		w.b.WriteByte('\n')
	default:
		w.b.WriteByte(' ')
		w.scalar(v)
		w.b.WriteByte('\n')
	}
}

func (w yamlWriter) mapping(m map[string]any, indent int) {
	for _, k := range sortedKeys(m) {
		w.entry(k, m[k], indent)
	}
}

// sequence writes "- item" lines; an item that is a non-empty mapping
// starts on the dash's line.
func (w yamlWriter) sequence(list []any, indent int) {
	for _, item := range list {
		w.pad(indent)
		w.b.WriteByte('-')
		m, ok := item.(map[string]any)
		if !ok || len(m) == 0 {
			w.after(item, indent+2, indent+2)
			continue
		}
		keys := sortedKeys(m)
		first := scalarText(keys[0])
		if len(first) > maxImplicitKey {
			w.b.WriteByte('\n')
			w.mapping(m, indent+2)
			continue
		}
		w.b.WriteString(" " + first + ":")
		w.after(m[keys[0]], indent+2, indent+4)
		for _, k := range keys[1:] {
			w.entry(k, m[k], indent+2)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (w yamlWriter) pad(n int) {
	for range n {
		w.b.WriteByte(' ')
	}
}

func (w yamlWriter) scalar(v any) {
	switch x := v.(type) {
	case nil:
		w.b.WriteString("null")
	case bool:
		w.b.WriteString(strconv.FormatBool(x))
	case int64:
		w.b.WriteString(strconv.FormatInt(x, 10))
	case int:
		w.b.WriteString(strconv.Itoa(x))
	case float64:
		switch {
		case math.IsInf(x, 1):
			w.b.WriteString(".inf")
		case math.IsInf(x, -1):
			w.b.WriteString("-.inf")
		case math.IsNaN(x):
			w.b.WriteString(".nan")
		default:
			w.b.WriteString(strconv.FormatFloat(x, 'f', -1, 64))
		}
	case json.Number:
		w.b.WriteString(x.String())
	default:
		w.scalarString(fmt.Sprint(x))
	}
}

func (w yamlWriter) scalarString(s string) { w.b.WriteString(scalarText(s)) }

// scalarText is s as a plain or double-quoted scalar.
func scalarText(s string) string {
	if plainSafe(s) {
		return s
	}
	return yamlQuote(s)
}

// yamlQuote double-quotes s, escaping what YAML does not allow raw in a
// double-quoted scalar or would read as a line break.
func yamlQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r >= 0x7f && r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// yamlWords are the plain scalars YAML 1.1 or 1.2 read as booleans or null.
var yamlWords = []string{"y", "n", "yes", "no", "on", "off", "true", "false", "null"}

// plainSafe reports whether s can be written unquoted: it starts with a
// letter, '_' or '/', is made of characters with no meaning in plain
// scalars, and is no boolean or null word.
func plainSafe(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '/'
		if i == 0 && !letter {
			return false
		}
		if !letter && !(c >= '0' && c <= '9') && strings.IndexByte(".-~+=@", c) < 0 {
			return false
		}
	}
	return !slices.Contains(yamlWords, strings.ToLower(s))
}

// literalBlock renders a multi-line string as a literal block scalar
// (" |\n" and its lines at indent), when its text allows one.
func literalBlock(s string, indent int) (string, bool) {
	if !strings.Contains(s, "\n") || strings.ContainsAny(s, "\r\t") || s[0] == ' ' || s[0] == '\n' {
		return "", false
	}
	for _, r := range s {
		if r < ' ' && r != '\n' || r >= 0x7f && r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff {
			return "", false
		}
	}
	body := strings.TrimRight(s, "\n")
	chomp := "-"
	switch len(s) - len(body) {
	case 1:
		chomp = ""
	case 0:
	default:
		chomp = "+"
	}
	var b strings.Builder
	b.WriteString(" |" + chomp + "\n")
	pad := strings.Repeat(" ", indent)
	for _, line := range strings.Split(s[:len(s)-min(len(s)-len(body), 1)], "\n") {
		if line != "" {
			b.WriteString(pad)
			b.WriteString(line)
		}
		b.WriteByte('\n')
	}
	return b.String(), true
}
