package luatemplate

import "strconv"

// Expression nodes.
type (
	node interface {
		eval(env Env) (Value, error)
	}
	constNode  struct{ v Value }
	globalNode struct {
		name string
		line int
	}
	indexNode struct {
		obj, key node
		line     int
	}
	callNode struct {
		fn   node
		args []node
		line int
	}
	methodNode struct {
		obj  node
		name string
		args []node
		line int
	}
	binaryNode struct {
		op   string
		l, r node
		line int
	}
	unaryNode struct {
		op   string
		x    node
		line int
	}
	tableNode struct {
		list       []node // positional values
		keys, vals []node // keyed values
		line       int
	}
)

// priorities are LuaJIT's binary operator priorities, left and right.
var priorities = map[string][2]int{
	"+": {6, 6}, "-": {6, 6}, "*": {7, 7}, "/": {7, 7}, "%": {7, 7},
	"^": {10, 9}, "..": {5, 4},
	"==": {3, 3}, "~=": {3, 3}, "<": {3, 3}, "<=": {3, 3}, ">": {3, 3}, ">=": {3, 3},
	"and": {2, 2}, "or": {1, 1},
}

const unaryPriority = 8

// parser reads an expression list with one token of lookahead, like
// LuaJIT's parser, so that errors name the same tokens.
type parser struct {
	lex   lexer
	tok   token
	ahead *token
}

// parseInline parses the expression Penlight makes of `$(inner)`:
// "(inner)", the argument of a call to tostring, which must end there.
func parseInline(inner string, line int) (n node, err error) {
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*syntaxError)
			if !ok {
				panic(r)
			}
			n, err = nil, se
		}
	}()
	p := &parser{lex: lexer{src: "(" + inner + ")", line: line}}
	p.advance()
	n = p.expr(0)
	if p.tok.kind != tokEOF {
		p.expectMatch(")", "(", line)
	}
	return n, nil
}

func (p *parser) advance() {
	if p.ahead != nil {
		p.tok, p.ahead = *p.ahead, nil
		return
	}
	p.tok = p.lex.next()
}

func (p *parser) peek() token {
	if p.ahead == nil {
		t := p.lex.next()
		p.ahead = &t
	}
	return *p.ahead
}

func (p *parser) is(text string) bool {
	return (p.tok.kind == tokSymbol || p.tok.kind == tokKeyword) && p.tok.text == text
}

func (p *parser) fail(msg string) {
	panic(&syntaxError{line: p.tok.line, msg: msg + " near " + p.tok.near()})
}

func (p *parser) expect(text string) {
	if !p.is(text) {
		p.fail("'" + text + "' expected")
	}
	p.advance()
}

// expectMatch expects the closing token of what opened at line.
func (p *parser) expectMatch(closing, opening string, line int) {
	if !p.is(closing) {
		if p.tok.line == line {
			p.fail("'" + closing + "' expected")
		}
		p.fail("'" + closing + "' expected (to close '" + opening + "' at line " + strconv.Itoa(line) + ")")
	}
	p.advance()
}

func (p *parser) name() string {
	if p.tok.kind != tokName {
		p.fail("'<name>' expected")
	}
	n := p.tok.text
	p.advance()
	return n
}

func (p *parser) explist() []node {
	list := []node{p.expr(0)}
	for p.is(",") {
		p.advance()
		list = append(list, p.expr(0))
	}
	return list
}

// expr parses operators binding tighter than limit.
func (p *parser) expr(limit int) node {
	var left node
	if p.is("not") || p.is("-") || p.is("#") {
		op, line := p.tok.text, p.tok.line
		p.advance()
		left = &unaryNode{op: op, x: p.expr(unaryPriority), line: line}
	} else {
		left = p.simple()
	}
	for {
		prio, ok := priorities[p.tok.text]
		if !ok || p.tok.kind != tokSymbol && p.tok.kind != tokKeyword || prio[0] <= limit {
			return left
		}
		op, line := p.tok.text, p.tok.line
		p.advance()
		left = &binaryNode{op: op, l: left, r: p.expr(prio[1]), line: line}
	}
}

func (p *parser) simple() node {
	t := p.tok
	switch {
	case t.kind == tokNumber:
		p.advance()
		return &constNode{v: t.num}
	case t.kind == tokString:
		p.advance()
		return &constNode{v: t.str}
	case p.is("nil"):
		p.advance()
		return &constNode{}
	case p.is("true"), p.is("false"):
		p.advance()
		return &constNode{v: t.text == "true"}
	case p.is("..."):
		p.fail("cannot use '...' outside a vararg function")
	case p.is("{"):
		return p.table()
	case p.is("function"):
		p.fail("function definitions are not supported in templates")
	}
	return p.suffixed()
}

func (p *parser) suffixed() node {
	var n node
	switch {
	case p.tok.kind == tokName:
		n = &globalNode{name: p.tok.text, line: p.tok.line}
		p.advance()
	case p.is("("):
		line := p.tok.line
		p.advance()
		n = p.expr(0)
		p.expectMatch(")", "(", line)
	default:
		p.fail("unexpected symbol")
	}
	for {
		line := p.tok.line
		switch {
		case p.is("."):
			p.advance()
			n = &indexNode{obj: n, key: &constNode{v: p.name()}, line: line}
		case p.is("["):
			p.advance()
			k := p.expr(0)
			p.expect("]")
			n = &indexNode{obj: n, key: k, line: line}
		case p.is(":"):
			p.advance()
			name := p.name()
			n = &methodNode{obj: n, name: name, args: p.args(), line: line}
		case p.is("("), p.is("{"), p.tok.kind == tokString:
			n = &callNode{fn: n, args: p.args(), line: line}
		default:
			return n
		}
	}
}

func (p *parser) args() []node {
	switch {
	case p.tok.kind == tokString:
		s := p.tok.str
		p.advance()
		return []node{&constNode{v: s}}
	case p.is("{"):
		return []node{p.table()}
	case p.is("("):
		line := p.tok.line
		p.advance()
		if p.is(")") {
			p.advance()
			return nil
		}
		list := p.explist()
		p.expectMatch(")", "(", line)
		return list
	}
	p.fail("function arguments expected")
	return nil
}

func (p *parser) table() node {
	line := p.tok.line
	p.expect("{")
	t := &tableNode{line: line}
	for !p.is("}") {
		switch {
		case p.tok.kind == tokName && p.peek().kind == tokSymbol && p.peek().text == "=":
			t.keys = append(t.keys, &constNode{v: p.name()})
			p.advance()
			t.vals = append(t.vals, p.expr(0))
		case p.is("["):
			p.advance()
			t.keys = append(t.keys, p.expr(0))
			p.expect("]")
			p.expect("=")
			t.vals = append(t.vals, p.expr(0))
		default:
			t.list = append(t.list, p.expr(0))
		}
		if !p.is(",") && !p.is(";") {
			break
		}
		p.advance()
	}
	p.expectMatch("}", "{", line)
	return t
}
