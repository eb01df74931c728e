package luatemplate

import "strings"

// Template is a compiled template.
type Template struct {
	pieces []piece
}

// piece is literal text or an expression.
type piece struct {
	text string
	expr node
}

// Compile parses src as pl.template does with Kong's options: `$(...)`
// with balanced parentheses is an expression, everything else is text.
// The error is LuaJIT's message for the generated code.
func Compile(src string) (*Template, error) {
	t := &Template{}
	last := 0
	for i := 0; i+1 < len(src); i++ {
		if src[i] != '$' || src[i+1] != '(' {
			continue
		}
		end := balanced(src, i+1)
		if end < 0 {
			continue
		}
		if i > last {
			t.pieces = append(t.pieces, piece{text: src[last:i]})
		}
		expr, err := parseInline(src[i+2:end-1], 1+strings.Count(src[:i], "\n"))
		if err != nil {
			return nil, err
		}
		t.pieces = append(t.pieces, piece{expr: expr})
		last, i = end, end-1
	}
	if last < len(src) {
		t.pieces = append(t.pieces, piece{text: src[last:]})
	}
	return t, nil
}

// balanced returns the index after the parenthesis closing the one at i
// (Lua's %b()), -1 when there is none.
func balanced(s string, i int) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return -1
}

// Static returns the text of a template without expressions.
func (t *Template) Static() (string, bool) {
	var b strings.Builder
	for _, p := range t.pieces {
		if p.expr != nil {
			return "", false
		}
		b.WriteString(p.text)
	}
	return b.String(), true
}

// Render evaluates the template in env: each expression e becomes
// tostring((e) or "").
func (t *Template) Render(env Env) (string, error) {
	var b strings.Builder
	for _, p := range t.pieces {
		if p.expr == nil {
			b.WriteString(p.text)
			continue
		}
		v, err := p.expr.eval(env)
		if err != nil {
			return "", err
		}
		if truthy(v) {
			b.WriteString(ToString(v))
		}
	}
	return b.String(), nil
}
