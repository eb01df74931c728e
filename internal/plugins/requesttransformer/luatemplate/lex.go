package luatemplate

import (
	"strconv"
	"strings"
)

type tokenKind uint8

const (
	tokEOF tokenKind = iota
	tokName
	tokString
	tokNumber
	tokKeyword
	tokSymbol
)

type token struct {
	kind tokenKind
	text string  // as written: the source text, or the keyword or symbol
	str  string  // a string's value
	num  float64 // a number's value
	line int
}

// near renders the token as LuaJIT's error messages do.
func (t token) near() string {
	if t.kind == tokEOF {
		return "'<eof>'"
	}
	return "'" + t.text + "'"
}

var keywords = map[string]bool{
	"and": true, "break": true, "do": true, "else": true, "elseif": true, "end": true,
	"false": true, "for": true, "function": true, "goto": true, "if": true, "in": true,
	"local": true, "nil": true, "not": true, "or": true, "repeat": true, "return": true,
	"then": true, "true": true, "until": true, "while": true,
}

// symbols, longest first for each first character.
var symbols = []string{"...", "..", "==", "~=", "<=", ">=", "::",
	"+", "-", "*", "/", "%", "^", "#", "<", ">", "=", "(", ")", "{", "}", "[", "]", ";", ":", ",", "."}

// syntaxError is a compile error, reported as LuaJIT reports it.
type syntaxError struct {
	line int
	msg  string
}

func (e *syntaxError) Error() string {
	return `[string "TMP"]:` + strconv.Itoa(e.line) + ": " + e.msg
}

// lexer splits Lua source into tokens, one at a time.
type lexer struct {
	src  string
	pos  int
	line int
}

func (l *lexer) fail(msg, near string) {
	panic(&syntaxError{line: l.line, msg: msg + " near '" + near + "'"})
}

// next returns the next token.
func (l *lexer) next() token {
	l.skipSpaceAndComments()
	if l.pos >= len(l.src) {
		return token{kind: tokEOF, line: l.line}
	}
	start, c := l.pos, l.src[l.pos]
	switch {
	case isIdentStart(c):
		for l.pos < len(l.src) && isIdent(l.src[l.pos]) {
			l.pos++
		}
		word := l.src[start:l.pos]
		if keywords[word] {
			return token{kind: tokKeyword, text: word, line: l.line}
		}
		return token{kind: tokName, text: word, line: l.line}
	case isDigit(c) || c == '.' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]):
		return l.number()
	case c == '"' || c == '\'':
		return l.shortString(c)
	case c == '[':
		if level, ok := l.longBracket(); ok {
			line := l.line
			s := l.longString(level, start)
			return token{kind: tokString, text: l.src[start:l.pos], str: s, line: line}
		}
	}
	for _, sym := range symbols {
		if strings.HasPrefix(l.src[l.pos:], sym) {
			l.pos += len(sym)
			return token{kind: tokSymbol, text: sym, line: l.line}
		}
	}
	l.pos++
	l.fail("unexpected symbol", l.src[start:l.pos])
	return token{}
}

func (l *lexer) skipSpaceAndComments() {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '\n':
			l.line++
			l.pos++
		case c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f':
			l.pos++
		case strings.HasPrefix(l.src[l.pos:], "--"):
			l.pos += 2
			start := l.pos
			if level, ok := l.longBracket(); ok {
				l.longString(level, start)
				continue
			}
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
		default:
			return
		}
	}
}

// longBracket recognizes "[" "="* "[" at the position, consuming it.
func (l *lexer) longBracket() (int, bool) {
	i := l.pos + 1
	for i < len(l.src) && l.src[i] == '=' {
		i++
	}
	if i < len(l.src) && l.src[i] == '[' {
		level := i - l.pos - 1
		l.pos = i + 1
		return level, true
	}
	return 0, false
}

// longString reads up to the closing long bracket of level; a newline
// right after the opening bracket is skipped.
func (l *lexer) longString(level, start int) string {
	if strings.HasPrefix(l.src[l.pos:], "\r\n") {
		l.pos += 2
		l.line++
	} else if l.pos < len(l.src) && l.src[l.pos] == '\n' {
		l.pos++
		l.line++
	}
	closing := "]" + strings.Repeat("=", level) + "]"
	end := strings.Index(l.src[l.pos:], closing)
	if end < 0 {
		l.line += strings.Count(l.src[l.pos:], "\n")
		l.pos = len(l.src)
		l.fail("unfinished long string", "<eof>")
	}
	s := l.src[l.pos : l.pos+end]
	l.line += strings.Count(s, "\n")
	l.pos += end + len(closing)
	return s
}

func (l *lexer) number() token {
	start := l.pos
	expChar := byte('e')
	if strings.HasPrefix(l.src[l.pos:], "0x") || strings.HasPrefix(l.src[l.pos:], "0X") {
		expChar = 'p'
	}
	prev := byte(0)
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if !isIdent(c) && c != '.' && !((c == '-' || c == '+') && prev|0x20 == expChar) {
			break
		}
		prev = c
		l.pos++
	}
	text := l.src[start:l.pos]
	f, ok := ToNumber(text)
	if !ok {
		l.fail("malformed number", text)
	}
	return token{kind: tokNumber, text: text, num: f, line: l.line}
}

func (l *lexer) shortString(quote byte) token {
	start, line := l.pos, l.line
	l.pos++
	var b strings.Builder
	for {
		if l.pos >= len(l.src) {
			l.fail("unfinished string", l.src[start:l.pos])
		}
		c := l.src[l.pos]
		switch c {
		case quote:
			l.pos++
			return token{kind: tokString, text: l.src[start:l.pos], str: b.String(), line: line}
		case '\n', '\r':
			l.fail("unfinished string", l.src[start:l.pos])
		case '\\':
			l.escape(&b, start)
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
}

// escape reads one escape sequence of a short string into b.
func (l *lexer) escape(b *strings.Builder, start int) {
	l.pos++ // the backslash
	if l.pos >= len(l.src) {
		l.fail("unfinished string", l.src[start:l.pos])
	}
	c := l.src[l.pos]
	if r, ok := simpleEscapes[c]; ok {
		b.WriteByte(r)
		l.pos++
		if c == '\n' || c == '\r' {
			l.line++
			if l.pos < len(l.src) && (l.src[l.pos] == '\n' || l.src[l.pos] == '\r') && l.src[l.pos] != c {
				l.pos++
			}
		}
		return
	}
	switch {
	case c == 'x':
		if l.pos+2 < len(l.src) && isHex(l.src[l.pos+1]) && isHex(l.src[l.pos+2]) {
			n, _ := strconv.ParseUint(l.src[l.pos+1:l.pos+3], 16, 8)
			b.WriteByte(byte(n))
			l.pos += 3
			return
		}
	case c == 'z':
		l.pos++
		for l.pos < len(l.src) && isSpace(rune(l.src[l.pos])) {
			if l.src[l.pos] == '\n' {
				l.line++
			}
			l.pos++
		}
		return
	case isDigit(c):
		end := l.pos
		for end < len(l.src) && end < l.pos+3 && isDigit(l.src[end]) {
			end++
		}
		if n, _ := strconv.Atoi(l.src[l.pos:end]); n <= 255 {
			b.WriteByte(byte(n))
			l.pos = end
			return
		}
	}
	l.fail("invalid escape sequence", l.src[start:l.pos+1])
}

// simpleEscapes are the one-character escapes; a backslash before a line
// break stands for a newline.
var simpleEscapes = map[byte]byte{'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v',
	'\\': '\\', '"': '"', '\'': '\'', '\n': '\n', '\r': '\n'}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdent(c byte) bool { return isIdentStart(c) || isDigit(c) }

func isHex(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f' }
