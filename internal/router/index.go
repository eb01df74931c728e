package router

import (
	"bytes"
	"slices"
	"strings"
)

// bucket holds the sub-routes that may match requests sharing a host key
// (an exact host, a wildcard suffix or prefix, or "any host"), filed in a
// radix trie under the path prefix a request must start with. Sub-routes
// with nothing to file under (no paths, or a regex without a literal
// prefix) sit at the root.
type bucket struct {
	root trieNode
}

// trieNode is a radix trie node. A request path reaches a node when it
// starts with the labels on the way to it.
type trieNode struct {
	label    string      // the edge from the parent
	ranks    []int32     // sub-routes filed here, ascending (= priority order)
	first    []byte      // first byte of each child's label
	children []*trieNode // same order as first
}

// add files rank here. Ranks are added in ascending order, so the list stays
// sorted and a sub-route filed twice (two paths with one prefix) is kept once.
func (n *trieNode) add(rank int32) {
	if k := len(n.ranks); k == 0 || n.ranks[k-1] != rank {
		n.ranks = append(n.ranks, rank)
	}
}

// insert files rank under key, taking new nodes from a.
func (n *trieNode) insert(key string, rank int32, a *slab) {
	for key != "" {
		k := bytes.IndexByte(n.first, key[0])
		if k < 0 {
			n.first = append(n.first, key[0])
			n.children = append(n.children, a.node(key))
			n = n.children[len(n.children)-1]
			key = ""
			break
		}
		c := n.children[k]
		common := commonPrefixLen(c.label, key)
		if common < len(c.label) {
			mid := a.node(c.label[:common])
			mid.first = a.firstOf(c.label[common])
			mid.children = a.childrenOf(c)
			c.label = c.label[common:]
			n.children[k] = mid
			c = mid
		}
		key = key[common:]
		n = c
	}
	n.add(rank)
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

// file puts a sub-route into a bucket under every prefix a matching path
// must start with.
func (b *bucket) file(s *subRoute, rank int32, a *slab) {
	switch {
	case len(s.prefixes) > 0:
		for _, p := range s.prefixes {
			b.root.insert(p, rank, a)
		}
	case len(s.regexes) > 0:
		if slices.Contains(s.regexLiterals, "") {
			b.root.add(rank)
			return
		}
		for _, lp := range s.regexLiterals {
			b.root.insert(lp, rank, a)
		}
	default:
		b.root.add(rank)
	}
}

// slab hands out the index's buckets and trie nodes, and the one-element
// slices a split node starts with, from chunks: building the index of
// 10,000 routes then takes tens of allocations instead of tens of
// thousands. The index, like the Router, is never changed once built, so
// nothing is freed piecemeal.
type slab struct {
	buckets  []bucket
	nodes    []trieNode
	first    []byte
	children []*trieNode
}

const slabChunk = 256

func (a *slab) bucket() *bucket {
	if len(a.buckets) == 0 {
		a.buckets = make([]bucket, slabChunk)
	}
	b := &a.buckets[0]
	a.buckets = a.buckets[1:]
	return b
}

func (a *slab) node(label string) *trieNode {
	if len(a.nodes) == 0 {
		a.nodes = make([]trieNode, slabChunk)
	}
	n := &a.nodes[0]
	a.nodes = a.nodes[1:]
	n.label = label
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

// hostIndex finds the buckets a request host can hit.
type hostIndex struct {
	exact  map[string]*bucket // "a.com"
	suffix map[string]*bucket // "*.a.com" filed as ".a.com"
	prefix map[string]*bucket // "a.*" filed as "a."
	any    bucket             // routes without hosts
	slab   slab               // where buckets and trie nodes come from
}

func newHostIndex() hostIndex {
	return hostIndex{
		exact:  map[string]*bucket{},
		suffix: map[string]*bucket{},
		prefix: map[string]*bucket{},
	}
}

// file puts a sub-route into the bucket of each of its hosts, or into the
// any-host bucket.
func (x *hostIndex) file(s *subRoute, rank int32) {
	if len(s.hosts) == 0 {
		x.any.file(s, rank, &x.slab)
		return
	}
	for i := range s.hosts {
		h := &s.hosts[i]
		m := x.exact
		switch h.op {
		case opSuffix:
			m = x.suffix
		case opPrefix:
			m = x.prefix
		}
		b := m[h.value]
		if b == nil {
			b = x.slab.bucket()
			m[h.value] = b
		}
		b.file(s, rank, &x.slab)
	}
}

// lookup calls visit with each bucket the host can hit: its exact bucket,
// the buckets of every wildcard suffix (".b.c" and ".c" for "a.b.c") and
// prefix ("a." and "a.b."), and the any-host bucket. A wildcard value always
// starts (suffix) or ends (prefix) with a dot, so cutting at dots finds all.
func (x *hostIndex) lookup(host string, hasHost bool, visit func(*bucket)) {
	if hasHost {
		if b := x.exact[host]; b != nil {
			visit(b)
		}
		if len(x.suffix) > 0 || len(x.prefix) > 0 {
			for i := 0; i < len(host); i++ {
				if host[i] != '.' {
					continue
				}
				if b := x.suffix[host[i:]]; b != nil {
					visit(b)
				}
				if b := x.prefix[host[:i+1]]; b != nil {
					visit(b)
				}
			}
		}
	}
	visit(&x.any)
}

// walk calls visit with the rank lists of the nodes path reaches.
func (n *trieNode) walk(path string, visit func([]int32)) {
	for i := 0; ; {
		if len(n.ranks) > 0 {
			visit(n.ranks)
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
