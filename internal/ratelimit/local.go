package ratelimit

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// Local is the local policy: counters in the node's memory (Kong's
// kong_rate_limiting_counters shared dict), exact under concurrency. They
// are sharded by key, each shard behind its own mutex; a counter is
// dropped once its window ended, and a full shard makes room by dropping
// expired counters, then an arbitrary one (as a full shared dict evicts).
type Local struct {
	seed   maphash.Seed
	shards [localShards]localShard
	now    func() int64
}

const (
	localShards = 64
	// DefaultLocalEntries bounds the counters the node keeps: about 15 MB,
	// of the order of Kong's 12 MB kong_rate_limiting_counters dict.
	DefaultLocalEntries = 100_000
)

type localShard struct {
	mu        sync.Mutex
	counters  map[Counter]*localValue
	max       int
	nextSweep int64
}

type localValue struct {
	n       int64
	expires int64 // the window's end, Unix seconds
}

var _ Policy = (*Local)(nil)

// NewLocal returns an empty Local keeping at most maxEntries counters.
func NewLocal(maxEntries int) *Local {
	l := &Local{seed: maphash.MakeSeed(), now: func() int64 { return time.Now().Unix() }}
	for i := range l.shards {
		l.shards[i] = localShard{counters: map[Counter]*localValue{}, max: max(1, maxEntries/localShards)}
	}
	return l
}

var node = NewLocal(DefaultLocalEntries)

// NodeLocal returns the node's local counters, which every plugin
// instance shares as Kong's shared dict is shared: counters survive
// configuration changes and their keys tell instances apart.
func NodeLocal() *Local { return node }

// shard returns the counter's shard, chosen by its scope, identifier and
// period.
func (l *Local) shard(c *Counter) *localShard {
	var h maphash.Hash
	h.SetSeed(l.seed)
	h.WriteString(c.RouteID)
	h.WriteString(c.ServiceID)
	h.WriteString(c.Identifier)
	h.WriteString(c.Name)
	h.WriteByte(byte(c.Period))
	return &l.shards[h.Sum64()%localShards]
}

// Add implements Policy.
func (l *Local) Add(_ context.Context, counters []Counter, n int64, before []int64) error {
	now := l.now()
	for i := range counters {
		c := &counters[i]
		s := l.shard(c)
		s.mu.Lock()
		v := s.counters[*c]
		if v == nil {
			s.makeRoom(now)
			v = &localValue{expires: c.Period.End(c.Start)}
			s.counters[*c] = v
		}
		before[i] = v.n
		v.n += n
		s.mu.Unlock()
	}
	return nil
}

// Get implements Policy.
func (l *Local) Get(_ context.Context, counters []Counter, values []int64) error {
	now := l.now()
	for i := range counters {
		c := &counters[i]
		s := l.shard(c)
		s.mu.Lock()
		values[i] = 0
		if v := s.counters[*c]; v != nil && v.expires > now {
			values[i] = v.n
		}
		s.mu.Unlock()
	}
	return nil
}

// Len returns the number of counters kept.
func (l *Local) Len() int {
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		n += len(s.counters)
		s.mu.Unlock()
	}
	return n
}

// makeRoom drops the shard's expired counters, at most once a second,
// and an arbitrary counter when the shard is full. The caller holds mu.
func (s *localShard) makeRoom(now int64) {
	if now >= s.nextSweep {
		s.nextSweep = now + 1
		for c, v := range s.counters {
			if v.expires <= now {
				delete(s.counters, c)
			}
		}
	}
	if len(s.counters) >= s.max {
		for c := range s.counters {
			delete(s.counters, c)
			break
		}
	}
}
