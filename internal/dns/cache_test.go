package dns

import (
	"strconv"
	"testing"
	"time"
)

// TestCacheBound: the cache keeps at most its size, dropping the least
// recently read entries first.
func TestCacheBound(t *testing.T) {
	c := newCache(10)
	now := time.Now()
	e := func() *entry { return &entry{expires: now.Add(time.Hour), evict: now.Add(time.Hour)} }
	for i := range 10 {
		c.set(cacheKey{name: strconv.Itoa(i)}, e(), now.Add(time.Duration(i)*time.Second))
	}
	c.get(cacheKey{name: "0"}, now.Add(20*time.Second)) // read last: kept
	c.set(cacheKey{name: "new"}, e(), now.Add(21*time.Second))
	if len(c.m) > 10 {
		t.Fatalf("%d entries in a cache of 10", len(c.m))
	}
	for _, name := range []string{"0", "new"} {
		if c.get(cacheKey{name: name}, now.Add(22*time.Second)) == nil {
			t.Errorf("%s was evicted", name)
		}
	}
	if c.get(cacheKey{name: "1"}, now.Add(22*time.Second)) != nil {
		t.Error("the least recently read entry was kept")
	}
	if c.get(cacheKey{name: "0"}, now.Add(2*time.Hour)) != nil {
		t.Error("an entry past its stale window was served")
	}
}
