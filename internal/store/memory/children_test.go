package memory

import (
	"slices"
	"testing"
)

func TestChildren(t *testing.T) {
	c := &children{one: map[string]string{}, many: map[string]*idSet{}}
	ids := func(parent string) []string {
		s := c.of(parent)
		if s == nil {
			return nil
		}
		return slices.Collect(s.After(""))
	}
	c.add("p", "b")
	c.add("p", "b")
	if got := ids("p"); !slices.Equal(got, []string{"b"}) || len(c.many) != 0 {
		t.Fatalf("one child: %v (%d sets)", got, len(c.many))
	}
	c.add("p", "a")
	c.add("q", "c")
	if got := ids("p"); !slices.Equal(got, []string{"a", "b"}) || len(c.one) != 1 {
		t.Fatalf("two children: %v (%d single)", got, len(c.one))
	}
	c.remove("p", "a")
	c.remove("p", "x")
	c.remove("q", "x")
	if got := ids("p"); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("after a removal: %v", got)
	}
	c.remove("p", "b")
	c.remove("q", "c")
	if ids("p") != nil || ids("q") != nil || len(c.one)+len(c.many) != 0 {
		t.Fatalf("after removing all: %v %v", c.one, c.many)
	}
}
