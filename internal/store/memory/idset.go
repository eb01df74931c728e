package memory

import (
	"iter"
	"slices"
	"sort"
)

// chunkMax bounds a chunk of an idSet: inserting moves at most this many
// ids plus the chunk headers, instead of the whole list.
const chunkMax = 512

// idSet is an ordered set of ids: a list of sorted, non-empty chunks, each
// chunk's ids all below the next chunk's. It is a two-level B-tree, cheap to
// keep sorted under random (UUID) insertions.
type idSet struct {
	chunks [][]string
	n      int
}

// Len returns the number of ids.
func (s *idSet) Len() int { return s.n }

// chunkFor returns the index of the chunk where id belongs: the first whose
// last id is not below id, or the last chunk.
func (s *idSet) chunkFor(id string) int {
	i := sort.Search(len(s.chunks), func(i int) bool {
		c := s.chunks[i]
		return c[len(c)-1] >= id
	})
	if i == len(s.chunks) && i > 0 {
		i--
	}
	return i
}

// Add inserts id; adding an id already present does nothing.
func (s *idSet) Add(id string) {
	if len(s.chunks) == 0 {
		s.chunks = [][]string{{id}}
		s.n = 1
		return
	}
	ci := s.chunkFor(id)
	c := s.chunks[ci]
	pos, found := slices.BinarySearch(c, id)
	if found {
		return
	}
	c = slices.Insert(c, pos, id)
	s.n++
	if len(c) <= chunkMax {
		s.chunks[ci] = c
		return
	}
	half := len(c) / 2
	left := slices.Clip(c[:half])
	right := append([]string(nil), c[half:]...)
	s.chunks[ci] = left
	s.chunks = slices.Insert(s.chunks, ci+1, right)
}

// Remove deletes id; removing an absent id does nothing.
func (s *idSet) Remove(id string) {
	if len(s.chunks) == 0 {
		return
	}
	ci := s.chunkFor(id)
	c := s.chunks[ci]
	pos, found := slices.BinarySearch(c, id)
	if !found {
		return
	}
	s.n--
	if len(c) == 1 {
		s.chunks = slices.Delete(s.chunks, ci, ci+1)
		return
	}
	s.chunks[ci] = slices.Delete(c, pos, pos+1)
}

// After yields the ids greater than after in ascending order; after ""
// yields them all.
func (s *idSet) After(after string) iter.Seq[string] {
	return func(yield func(string) bool) {
		if len(s.chunks) == 0 {
			return
		}
		ci, pos := 0, 0
		if after != "" {
			ci = s.chunkFor(after)
			var found bool
			pos, found = slices.BinarySearch(s.chunks[ci], after)
			if found {
				pos++
			}
		}
		for ; ci < len(s.chunks); ci, pos = ci+1, 0 {
			for _, id := range s.chunks[ci][pos:] {
				if !yield(id) {
					return
				}
			}
		}
	}
}
