package admin

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// formPair is one decoded form argument: its raw name ("config.minute",
// "paths[]") and its value (a string, or a JSON value for a multipart part
// sent as application/json).
type formPair struct {
	name  string
	value any
}

// formPairs lists url.Values in a stable order: names sorted, values of
// one name in request order.
func formPairs(v url.Values) []formPair {
	names := make([]string, 0, len(v))
	for n := range v {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []formPair
	for _, n := range names {
		for _, val := range v[n] {
			out = append(out, formPair{n, val})
		}
	}
	return out
}

// decodeForm nests form arguments as Kong's arguments decoder does:
// "a.b=1" and "a[b]=1" give {a={b=1}}; "a[]=x&a[]=y", "a=x&a=y" and
// "a[1]=x&a[2]=y" give arrays. Map brackets ("a[b]") are decoded only when
// maps is set (POST, PUT and PATCH bodies); otherwise such a name is kept
// as it is. Values stay strings: schema inference comes later.
func decodeForm(pairs []formPair, maps bool) map[string]any {
	root := &formNode{}
	for _, p := range pairs {
		n := root
		for _, s := range formPath(p.name, maps) {
			n = n.child(s)
		}
		n.leaves = append(n.leaves, p.value)
	}
	out, _ := root.value().(map[string]any)
	if out == nil {
		out = map[string]any{}
	}
	return out
}

// formSeg is one step of an argument's path: a map key, an array index
// (1-based, as in Kong) or an append ("[]").
type formSeg struct {
	key   string
	index int
	kind  byte // 'k' key, 'i' index, 'a' append
}

// formPath splits an argument name into its path.
func formPath(name string, maps bool) []formSeg {
	literal := []formSeg{{key: name, kind: 'k'}}
	if name == "" || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") {
		return literal
	}
	var path []formSeg
	for _, piece := range splitDots(name) {
		segs, ok := bracketPath(piece, maps)
		if !ok {
			segs = []formSeg{{key: piece, kind: 'k'}}
		}
		path = append(path, segs...)
	}
	if len(path) == 0 {
		return literal
	}
	return path
}

// splitDots splits on dots outside brackets, dropping empty pieces, so
// that "test[foo.bar]" stays one piece.
func splitDots(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case '.':
			if depth == 0 {
				if i > start {
					out = append(out, s[start:i])
				}
				start = i + 1
			}
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// bracketPath decodes "name[a][1][]" into its segments. It reports false
// when the piece is not of that form or uses a map key where maps are not
// allowed; the piece is then a plain key.
func bracketPath(piece string, maps bool) ([]formSeg, bool) {
	i := strings.IndexByte(piece[1:], '[')
	if i < 0 {
		return []formSeg{{key: piece, kind: 'k'}}, true
	}
	i++
	segs := []formSeg{{key: piece[:i], kind: 'k'}}
	rest := piece[i:]
	for rest != "" {
		if rest[0] != '[' {
			return nil, false
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, false
		}
		inner := rest[1:end]
		rest = rest[end+1:]
		switch n, err := strconv.Atoi(inner); {
		case inner == "":
			segs = append(segs, formSeg{kind: 'a'})
		case err == nil && n >= 0:
			segs = append(segs, formSeg{kind: 'i', index: n})
		case maps:
			segs = append(segs, formSeg{kind: 'k', key: inner})
		default:
			return nil, false
		}
	}
	return segs, true
}

// formNode collects the values of one path while a form is decoded.
type formNode struct {
	leaves  []any
	keys    map[string]*formNode
	order   []string
	indexed map[int]*formNode
	appends []*formNode
}

func (n *formNode) child(s formSeg) *formNode {
	switch s.kind {
	case 'i':
		if n.indexed == nil {
			n.indexed = map[int]*formNode{}
		}
		c := n.indexed[s.index]
		if c == nil {
			c = &formNode{}
			n.indexed[s.index] = c
		}
		return c
	case 'a':
		c := &formNode{}
		n.appends = append(n.appends, c)
		return c
	}
	if n.keys == nil {
		n.keys = map[string]*formNode{}
	}
	c := n.keys[s.key]
	if c == nil {
		c = &formNode{}
		n.keys[s.key] = c
		n.order = append(n.order, s.key)
	}
	return c
}

// value turns the node into the data model: a map when it has keys, an
// array when it has indexed or appended elements or several values, else
// its single value.
func (n *formNode) value() any {
	if len(n.keys) > 0 {
		m := make(map[string]any, len(n.keys))
		for _, k := range n.order {
			m[k] = n.keys[k].value()
		}
		return m
	}
	if len(n.indexed) > 0 || len(n.appends) > 0 {
		list := make([]any, 0, len(n.leaves)+len(n.indexed)+len(n.appends))
		list = append(list, n.leaves...)
		idx := make([]int, 0, len(n.indexed))
		for i := range n.indexed {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		for _, i := range idx {
			list = append(list, n.indexed[i].value())
		}
		for _, a := range n.appends {
			list = append(list, a.value())
		}
		return list
	}
	switch len(n.leaves) {
	case 0:
		return nil
	case 1:
		return n.leaves[0]
	}
	return append([]any(nil), n.leaves...)
}
