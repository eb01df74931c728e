package memory

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestIDSet checks the chunked list against a plain sorted slice under
// random insertions and removals large enough to split chunks.
func TestIDSet(t *testing.T) {
	tests := []struct {
		name      string
		n, remove int
	}{
		{"empty", 0, 0},
		{"one chunk", 100, 30},
		{"many chunks", 5000, 2500},
		{"remove all", 2000, 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tt.n)))
			var s idSet
			var want []string
			for range tt.n {
				id := strconv.FormatUint(rng.Uint64(), 36)
				s.Add(id)
				s.Add(id) // idempotent
				if i, found := slices.BinarySearch(want, id); !found {
					want = slices.Insert(want, i, id)
				}
			}
			for range tt.remove {
				i := rng.IntN(len(want))
				s.Remove(want[i])
				s.Remove(want[i]) // idempotent
				want = slices.Delete(want, i, i+1)
			}
			if diff := cmp.Diff(want, slices.Collect(s.After("")), cmpEmpty); diff != "" {
				t.Fatalf("ids (-want +got):\n%s", diff)
			}
			if s.Len() != len(want) {
				t.Errorf("Len = %d, want %d", s.Len(), len(want))
			}
			for _, i := range []int{0, len(want) / 3, len(want) - 1} {
				if i < 0 || i >= len(want) {
					continue
				}
				if diff := cmp.Diff(want[i+1:], slices.Collect(s.After(want[i])), cmpEmpty); diff != "" {
					t.Errorf("After(%q) (-want +got):\n%s", want[i], diff)
				}
				if got := slices.Collect(s.After(want[i] + "\x00")); len(got) != len(want)-i-1 {
					t.Errorf("After between ids: %d ids, want %d", len(got), len(want)-i-1)
				}
			}
		})
	}
}

var cmpEmpty = cmp.Comparer(func(a, b []string) bool { return slices.Equal(a, b) })
