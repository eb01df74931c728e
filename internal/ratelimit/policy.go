package ratelimit

import "context"

// Policy keeps counters: Kong's local, cluster and redis policies.
// Implementations are safe for concurrent use and keep none of the slices
// they are given past the call: callers reuse them.
type Policy interface {
	// Add adds n (which may be negative, to give back what a refused
	// request took) to each counter and writes the values they had
	// before into before, which has one element per counter.
	Add(ctx context.Context, counters []Counter, n int64, before []int64) error
	// Get writes the counters' values into values, 0 for a counter never
	// added to in its window.
	Get(ctx context.Context, counters []Counter, values []int64) error
}
