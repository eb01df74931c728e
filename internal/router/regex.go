package router

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
)

// compiledRegex is a compiled regex path and its literal prefix.
type compiledRegex struct {
	re      *regexp.Regexp
	literal string
}

// regexCache keeps compiled regex paths between router builds, so that a
// rebuild after a configuration change compiles only the regexes it has
// not seen (compiling is most of a rebuild's cost with many regex routes).
// A regex no build used in the last two builds is dropped.
type regexCache struct {
	mu        sync.Mutex
	cur, prev map[string]compiledRegex
}

var pathRegexes = &regexCache{cur: map[string]compiledRegex{}}

// get returns the compiled form of a regex path; a nil cache compiles it.
func (c *regexCache) get(path string) (compiledRegex, error) {
	if c == nil {
		return compileRegex(path)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.cur[path]; ok {
		return e, nil
	}
	if e, ok := c.prev[path]; ok {
		c.cur[path] = e
		return e, nil
	}
	e, err := compileRegex(path)
	if err == nil {
		c.cur[path] = e
	}
	return e, err
}

// rotate ends a build: what it did not use survives one more build.
func (c *regexCache) rotate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.prev, c.cur = c.cur, make(map[string]compiledRegex, len(c.cur))
}

// compileRegex compiles a regex path and finds its literal prefix.
func compileRegex(path string) (compiledRegex, error) {
	re, err := compilePathRegex(path)
	if err != nil {
		return compiledRegex{}, err
	}
	return compiledRegex{re: re, literal: literalPrefix(re)}, nil
}

// compilePathRegex compiles a regex route path ("~/re") the way Kong hands
// it to atc-router: the "~" dropped, "^" put in front (so only the first
// alternative of a top-level "a|b" is anchored, exactly as in Kong) and
// "?<" rewritten to "?P<".
//
// atc-router runs Rust's regex crate; Go's RE2 syntax is nearly the same.
// Known differences: \d, \w, \s and \b are ASCII-only in Go (Unicode in
// Rust), and Rust's class set operations ([a-z&&[^x]]) do not exist in Go.
func compilePathRegex(path string) (*regexp.Regexp, error) {
	return regexp.Compile("^" + strings.ReplaceAll(path[1:], "?<", "?P<"))
}

// literalPrefix returns the literal text every match of re must begin with
// at the start of the subject, or "" when there is none to rely on. It lets
// the index file a regex path under a prefix like a plain path.
func literalPrefix(re *regexp.Regexp) string {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return ""
	}
	if tree.Op != syntax.OpConcat || len(tree.Sub) < 2 || tree.Sub[0].Op != syntax.OpBeginText {
		return ""
	}
	lit := tree.Sub[1]
	if lit.Op != syntax.OpLiteral || lit.Flags&syntax.FoldCase != 0 {
		return ""
	}
	return string(lit.Rune)
}
