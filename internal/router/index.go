package router

import (
	"bytes"
	"slices"
	"strings"
)

// trieNode is a node of a radix trie of path prefixes. Each host key (an
// exact host, a wildcard suffix or prefix, or "any host") has a trie of
// the sub-routes that may match requests with that host, each filed under
// the path prefixes a request must start with; sub-routes with nothing to
// file under (no paths, or a regex without a literal prefix) sit at the
// root. A request path reaches a node when it starts with the labels on
// the way to it.
//
// The trie is kept compact: every node but the root holds sub-routes or
// has two children or more, so that one set of routes has one trie
// however it was reached. A node is changed only by the batch that owns
// it (see batch); the others copy it first.
type trieNode struct {
	owner    *batch
	label    string      // the edge from the parent
	subs     []*subRoute // filed here, in rank order (byRank), each once
	first    []byte      // first byte of each child's label
	children []*trieNode // same order as first
}

// rootKey is the one key of a sub-route filed at the root.
var rootKey = []string{""}

// pathKeys returns the prefixes a sub-route is filed under.
func (s *subRoute) pathKeys() []string {
	switch {
	case len(s.prefixes) > 0:
		return s.prefixes
	case len(s.regexes) > 0 && !slices.Contains(s.regexLiterals, ""):
		return s.regexLiterals
	}
	return rootKey
}

// own returns n for b to change: n itself when b owns it, else a copy
// (a new root for nil).
func (b *batch) own(n *trieNode) *trieNode {
	if n == nil {
		return b.node("")
	}
	if n.owner == b {
		return n
	}
	c := b.node(n.label)
	c.subs = slices.Clone(n.subs)
	c.first = slices.Clone(n.first)
	c.children = slices.Clone(n.children)
	return c
}

// insert files s under key in the trie at root (nil for none yet) and
// returns the trie's root.
func (b *batch) insert(root *trieNode, key string, s *subRoute) *trieNode {
	root = b.own(root)
	n := root
	for key != "" {
		k := bytes.IndexByte(n.first, key[0])
		if k < 0 {
			leaf := b.node(key)
			n.first = append(n.first, key[0])
			n.children = append(n.children, leaf)
			n = leaf
			break
		}
		c := b.own(n.children[k])
		n.children[k] = c
		common := commonPrefixLen(c.label, key)
		if common < len(c.label) {
			mid := b.node(c.label[:common])
			mid.first = b.slab.firstOf(c.label[common])
			mid.children = b.slab.childrenOf(c)
			c.label = c.label[common:]
			n.children[k] = mid
			c = mid
		}
		key = key[common:]
		n = c
	}
	i, found := slices.BinarySearchFunc(n.subs, s, byRank)
	if !found { // found: s is filed here already (two equal paths)
		n.subs = slices.Insert(n.subs, i, s)
	}
	return root
}

// delete takes s out from under key in the trie at root and returns the
// trie's root, nil when the trie is left empty. Nodes left with neither
// sub-routes nor two children are removed, so the trie stays compact.
func (b *batch) delete(root *trieNode, key string, s *subRoute) *trieNode {
	// Find s without copying anything: path lists the nodes from the root
	// down to s's, at[i] the index of path[i+1] among path[i]'s children.
	var pathBuf [16]*trieNode
	var atBuf [16]int
	path, at := append(pathBuf[:0], root), atBuf[:0]
	for n := root; key != ""; {
		k := bytes.IndexByte(n.first, key[0])
		if k < 0 || !strings.HasPrefix(key, n.children[k].label) {
			return root
		}
		n = n.children[k]
		key = key[len(n.label):]
		path, at = append(path, n), append(at, k)
	}
	last := path[len(path)-1]
	i, found := slices.BinarySearchFunc(last.subs, s, byRank)
	if !found || last.subs[i] != s {
		return root
	}

	// Copy the nodes on the way, then remove s and what it leaves empty.
	for d := range path {
		path[d] = b.own(path[d])
		if d > 0 {
			path[d-1].children[at[d-1]] = path[d]
		}
	}
	last = path[len(path)-1]
	last.subs = slices.Delete(last.subs, i, i+1)
	for d := len(path) - 1; d > 0; d-- {
		n, parent, k := path[d], path[d-1], at[d-1]
		if len(n.subs) > 0 || len(n.children) > 1 {
			break
		}
		if len(n.children) == 1 { // merge n into its only child
			c := b.own(n.children[0])
			c.label = n.label + c.label
			parent.children[k] = c
			break
		}
		parent.first = slices.Delete(parent.first, k, k+1)
		parent.children = slices.Delete(parent.children, k, k+1)
	}
	root = path[0]
	if len(root.subs) == 0 && len(root.children) == 0 {
		return nil
	}
	return root
}

func commonPrefixLen(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// slab hands out trie nodes, and the one-element slices a split node
// starts with, from chunks: building the index of 10,000 routes then takes
// tens of allocations instead of tens of thousands.
type slab struct {
	nodes    []trieNode
	first    []byte
	children []*trieNode
}

const slabChunk = 256

// node returns a new node owned by b.
func (b *batch) node(label string) *trieNode {
	a := &b.slab
	if len(a.nodes) == 0 {
		a.nodes = make([]trieNode, slabChunk)
	}
	n := &a.nodes[0]
	a.nodes = a.nodes[1:]
	n.owner, n.label = b, label
	return n
}

// firstOf returns []byte{c} with a capacity of one, so that an append
// copies it out of the chunk.
func (a *slab) firstOf(c byte) []byte {
	if len(a.first) == 0 {
		a.first = make([]byte, slabChunk)
	}
	f := a.first[:1:1]
	a.first = a.first[1:]
	f[0] = c
	return f
}

// childrenOf returns []*trieNode{c} with a capacity of one.
func (a *slab) childrenOf(c *trieNode) []*trieNode {
	if len(a.children) == 0 {
		a.children = make([]*trieNode, slabChunk)
	}
	s := a.children[:1:1]
	a.children = a.children[1:]
	s[0] = c
	return s
}

// hostIndex finds the tries a request host can hit.
type hostIndex struct {
	exact  map[string]*trieNode // "a.com"
	suffix map[string]*trieNode // "*.a.com" filed as ".a.com"
	prefix map[string]*trieNode // "a.*" filed as "a."
	any    *trieNode            // routes without hosts; nil for none
}

func newHostIndex() hostIndex {
	return hostIndex{
		exact:  map[string]*trieNode{},
		suffix: map[string]*trieNode{},
		prefix: map[string]*trieNode{},
	}
}

// file puts s into the trie of each of its hosts, or into the any-host
// trie.
func (b *batch) file(s *subRoute) {
	b.eachTrie(s, func(root *trieNode) *trieNode {
		for _, key := range s.pathKeys() {
			root = b.insert(root, key, s)
		}
		return root
	})
}

// unfile takes s out of the tries file put it in.
func (b *batch) unfile(s *subRoute) {
	b.eachTrie(s, func(root *trieNode) *trieNode {
		for _, key := range s.pathKeys() {
			if root = b.delete(root, key, s); root == nil {
				break
			}
		}
		return root
	})
}

// eachTrie replaces the root of each trie s belongs in by what change
// makes of it; a trie change leaves empty (nil) is dropped.
func (b *batch) eachTrie(s *subRoute, change func(root *trieNode) *trieNode) {
	x := &b.r.hosts
	if len(s.hosts) == 0 {
		x.any = change(x.any)
		return
	}
	for i := range s.hosts {
		h := &s.hosts[i]
		var m map[string]*trieNode
		switch h.op {
		case opSuffix:
			m = writable(b, ownsSuffix, &x.suffix)
		case opPrefix:
			m = writable(b, ownsPrefix, &x.prefix)
		default:
			m = writable(b, ownsExact, &x.exact)
		}
		if root := change(m[h.value]); root != nil {
			m[h.value] = root
		} else {
			delete(m, h.value)
		}
	}
}

// lookup calls visit with the root of each trie the host can hit: its
// exact host's, those of every wildcard suffix (".b.c" and ".c" for
// "a.b.c") and prefix ("a." and "a.b."), and the any-host trie. A wildcard
// value always starts (suffix) or ends (prefix) with a dot, so cutting at
// dots finds all.
func (x *hostIndex) lookup(host string, hasHost bool, visit func(*trieNode)) {
	if hasHost {
		if n := x.exact[host]; n != nil {
			visit(n)
		}
		if len(x.suffix) > 0 || len(x.prefix) > 0 {
			for i := 0; i < len(host); i++ {
				if host[i] != '.' {
					continue
				}
				if n := x.suffix[host[i:]]; n != nil {
					visit(n)
				}
				if n := x.prefix[host[:i+1]]; n != nil {
					visit(n)
				}
			}
		}
	}
	if x.any != nil {
		visit(x.any)
	}
}

// walk calls visit with the sub-route lists of the nodes path reaches.
func (n *trieNode) walk(path string, visit func([]*subRoute)) {
	for i := 0; ; {
		if len(n.subs) > 0 {
			visit(n.subs)
		}
		if i >= len(path) {
			return
		}
		k := bytes.IndexByte(n.first, path[i])
		if k < 0 {
			return
		}
		c := n.children[k]
		if !strings.HasPrefix(path[i:], c.label) {
			return
		}
		i += len(c.label)
		n = c
	}
}
