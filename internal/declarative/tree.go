package declarative

import (
	"slices"
	"strconv"

	"github.com/silverback-gw/silverback/internal/schema"
)

// node is one table of an error tree, shaped as Kong's Lua error tables: a
// table has named entries ("services", "host", "@entity", a route's name)
// and positional entries (1-based array indexes), sometimes both. A value
// is a message (string) or another *node; a list of messages is a node
// with positions 1..n.
type node struct {
	named map[string]any
	pos   map[int]any
}

func newNode() *node { return &node{} }

func (n *node) empty() bool { return len(n.named) == 0 && len(n.pos) == 0 }

// set stores a named entry, replacing any previous one.
func (n *node) set(key string, v any) {
	if n.named == nil {
		n.named = map[string]any{}
	}
	n.named[key] = v
}

// setPos stores a positional entry, replacing any previous one.
func (n *node) setPos(i int, v any) {
	if n.pos == nil {
		n.pos = map[int]any{}
	}
	n.pos[i] = v
}

// sub returns the named child table, creating it (over a message, if any).
func (n *node) sub(key string) *node {
	if c, ok := n.named[key].(*node); ok {
		return c
	}
	c := newNode()
	n.set(key, c)
	return c
}

// at returns the positional child table, creating it.
func (n *node) at(i int) *node {
	if c, ok := n.pos[i].(*node); ok {
		return c
	}
	c := newNode()
	n.setPos(i, c)
	return c
}

// appendMessage adds msg to the list of messages under key.
func (n *node) appendMessage(key, msg string) {
	l := n.sub(key)
	l.setPos(len(l.pos)+1, msg)
}

// namedKeys returns the named keys in byte order, as Lua sorts strings.
func (n *node) namedKeys() []string {
	keys := make([]string, 0, len(n.named))
	for k := range n.named {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// posKeys returns the positions in ascending order.
func (n *node) posKeys() []int {
	keys := make([]int, 0, len(n.pos))
	for k := range n.pos {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// clone deep-copies the tree.
func (n *node) clone() *node {
	c := newNode()
	for k, v := range n.named {
		c.set(k, cloneEntry(v))
	}
	for k, v := range n.pos {
		c.setPos(k, cloneEntry(v))
	}
	return c
}

func cloneEntry(v any) any {
	if c, ok := v.(*node); ok {
		return c.clone()
	}
	return v
}

// mergeSchemaErrors adds a schema validation error tree to n: records and
// maps become named tables, array elements positional ones, and entity
// check messages a list under "@entity".
func (n *node) mergeSchemaErrors(errs schema.Errors) {
	for k, v := range errs {
		n.set(k, fromSchema(v))
	}
}

func fromSchema(v any) any {
	switch e := v.(type) {
	case schema.Errors:
		c := newNode()
		c.mergeSchemaErrors(e)
		return c
	case schema.IndexErrors:
		c := newNode()
		for i, x := range e {
			c.setPos(i, fromSchema(x))
		}
		return c
	case []string:
		c := newNode()
		for i, m := range e {
			c.setPos(i+1, m)
		}
		return c
	case string:
		return e
	}
	return ""
}

// json renders the tree as Kong's cjson encodes the Lua table: positional
// tables become arrays padded with null, unless excessively sparse (more
// than 10 slots and over half of them empty) or mixed with named entries,
// in which case they become objects keyed by the index.
func (n *node) json() any {
	if len(n.named) == 0 && len(n.pos) > 0 {
		maxIdx := 0
		for i := range n.pos {
			maxIdx = max(maxIdx, i)
		}
		if maxIdx <= 10 || maxIdx <= 2*len(n.pos) {
			arr := make([]any, maxIdx)
			for i, v := range n.pos {
				arr[i-1] = entryJSON(v)
			}
			return arr
		}
	}
	obj := make(map[string]any, len(n.named)+len(n.pos))
	for k, v := range n.named {
		obj[k] = entryJSON(v)
	}
	for i, v := range n.pos {
		obj[strconv.Itoa(i)] = entryJSON(v)
	}
	return obj
}

func entryJSON(v any) any {
	if c, ok := v.(*node); ok {
		return c.json()
	}
	return v
}
