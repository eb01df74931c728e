package declarative

import (
	"strconv"
	"strings"
)

// Text renderings of an error tree, byte-compatible with Kong's: the
// message of code 14 is penlight's pretty.write(err_t, "") and the CLI
// prints kong/db/declarative/init.lua's pretty_print_error.

// lua renders the tree as penlight 1.14 pretty.write with an empty indent:
// the array part (1, 2, … up to the first gap) as bare values, then named
// keys in byte order, then the remaining positions as [i]=.
func (n *node) lua() string {
	var b strings.Builder
	n.writeLua(&b)
	return b.String()
}

func (n *node) writeLua(b *strings.Builder) {
	b.WriteByte('{')
	first := true
	sep := func() {
		if !first {
			b.WriteByte(',')
		}
		first = false
	}
	seq := 0
	for {
		v, ok := n.pos[seq+1]
		if !ok {
			break
		}
		seq++
		sep()
		writeLuaValue(b, v)
	}
	for _, k := range n.namedKeys() {
		sep()
		if isLuaIdentifier(k) {
			b.WriteString(k)
		} else {
			q := luaQuote(k)
			if strings.HasPrefix(q, "[") {
				q = " " + q + " "
			}
			b.WriteString("[" + q + "]")
		}
		b.WriteByte('=')
		writeLuaValue(b, n.named[k])
	}
	for _, i := range n.posKeys() {
		if i <= seq {
			continue
		}
		sep()
		b.WriteString("[" + strconv.Itoa(i) + "]=")
		writeLuaValue(b, n.pos[i])
	}
	b.WriteByte('}')
}

func writeLuaValue(b *strings.Builder, v any) {
	switch x := v.(type) {
	case *node:
		x.writeLua(b)
	case string:
		b.WriteString(luaQuote(x))
	}
}

var luaKeywords = map[string]bool{
	"and": true, "break": true, "do": true, "else": true, "elseif": true, "end": true,
	"false": true, "for": true, "function": true, "goto": true, "if": true, "in": true,
	"local": true, "nil": true, "not": true, "or": true, "repeat": true, "return": true,
	"then": true, "true": true, "until": true, "while": true,
}

// isLuaIdentifier reports whether s matches ^[%a_][%w_]*$ and is no keyword.
func isLuaIdentifier(s string) bool {
	if s == "" || luaKeywords[s] {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
		if !alpha && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// luaQuote is penlight's stringx.quote_string: a long bracket string when
// s has a newline or a bracket sequence ([[, ]=], …) and no carriage
// return, otherwise LuaJIT's %q.
func luaQuote(s string) string {
	eq, found := longQuoteLevel(s + "]")
	if (found || strings.Contains(s, "\n")) && !strings.Contains(s, "\r") {
		level := 0
		if found {
			level = eq + 1
		}
		pad := strings.Repeat("=", level)
		if strings.HasPrefix(s, "\n") {
			s = "\n" + s
		}
		return "[" + pad + "[" + s + "]" + pad + "]"
	}
	return luaQ(s)
}

// longQuoteLevel returns the largest number of '=' in a [=*[ or ]=*]
// sequence of s.
func longQuoteLevel(s string) (int, bool) {
	best, found := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '[' && c != ']' {
			continue
		}
		j := i + 1
		for j < len(s) && s[j] == '=' {
			j++
		}
		if j < len(s) && s[j] == c {
			best, found = max(best, j-i-1), true
		}
	}
	return best, found
}

// luaQ is LuaJIT's string.format("%q"): quotes, backslashes and newlines
// escaped with a backslash, other control characters as decimal escapes
// (three digits when a digit follows).
func luaQ(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\' || c == '\n':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 32 || c == 127:
			b.WriteByte('\\')
			nextDigit := i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9'
			d := strconv.Itoa(int(c))
			if nextDigit {
				d = strings.Repeat("0", 3-len(d)) + d
			}
			b.WriteString(d)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// pretty renders the tree as kong config parse prints it:
//
//	in 'services':
//	  - in entry 1 of 'services':
//	    in 'host': required field missing
func (n *node) pretty(item, indent string) string {
	var lines []string
	entry := func(prefix string, v any, childItem string) {
		if c, ok := v.(*node); ok {
			lines = append(lines, indent+prefix+":", c.pretty(childItem, indent+"  "))
			return
		}
		lines = append(lines, indent+prefix+": "+v.(string))
	}
	for _, i := range n.posKeys() {
		k := strconv.Itoa(i)
		entry("- in entry "+k+" of '"+item+"'", n.pos[i], k)
	}
	for _, k := range n.namedKeys() {
		entry("in '"+k+"'", n.named[k], k)
	}
	return strings.Join(lines, "\n")
}
