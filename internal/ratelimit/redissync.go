package ratelimit

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisSync is the redis policy with a positive sync_rate: a counter is
// read from Redis once (incremented there by the request that reads it),
// then counted in the node's memory, and the node's increments are
// written to Redis at most sync_rate seconds later, in one pipeline of
// INCRBY and EXPIRE. After a sync the counters are read from Redis again,
// with the other nodes' increments. Fewer round trips, looser limits: a
// node does not see the others' requests until they synced.
type RedisSync struct {
	client *redis.Client
	rate   time.Duration
	log    atomic.Pointer[slog.Logger]

	mu       sync.Mutex
	counters map[string]*syncedCounter // by key
	pending  bool                      // a sync is scheduled
}

// syncedCounter is a counter as last read from Redis plus what the node
// added since.
type syncedCounter struct {
	period Period
	read   int64 // the value Redis returned
	delta  int64 // added since, not yet written
}

var _ Policy = (*RedisSync)(nil)

var redisSyncs = struct {
	sync.Mutex
	m map[redisSyncKey]*RedisSync
}{m: map[redisSyncKey]*RedisSync{}}

type redisSyncKey struct {
	RedisConfig
	rate time.Duration
}

// NewRedisSync returns the redis policy on the Redis of c syncing every
// rate. Instances with the same Redis and rate share one, so that a
// configuration change loses no pending increment.
func NewRedisSync(c RedisConfig, rate time.Duration) *RedisSync {
	redisSyncs.Lock()
	defer redisSyncs.Unlock()
	k := redisSyncKey{c, rate}
	if s, ok := redisSyncs.m[k]; ok {
		return s
	}
	s := &RedisSync{client: c.client(), rate: rate, counters: map[string]*syncedCounter{}}
	redisSyncs.m[k] = s
	return s
}

// setLogger gives the sync the logger its failures go to, once.
func (s *RedisSync) setLogger(l *slog.Logger) {
	if s.log.Load() == nil {
		s.log.CompareAndSwap(nil, l)
	}
}

// Add implements Policy: a counter the node has not read since the last
// sync is incremented in Redis, the others in memory.
func (s *RedisSync) Add(ctx context.Context, counters []Counter, n int64, before []int64) error {
	for i := range counters {
		c := &counters[i]
		key := c.Key()
		s.mu.Lock()
		sc := s.counters[key]
		if sc != nil {
			before[i] = sc.read + sc.delta
			sc.delta += n
			s.schedule()
		}
		s.mu.Unlock()
		if sc != nil {
			continue
		}
		pipe := s.client.Pipeline()
		incr := pipe.IncrBy(ctx, key, n)
		pipe.Expire(ctx, key, time.Duration(c.Period.Expiration())*time.Second)
		if _, err := pipe.Exec(ctx); err != nil {
			return err
		}
		before[i] = incr.Val() - n
		s.mu.Lock()
		switch sc := s.counters[key]; {
		case sc == nil:
			s.counters[key] = &syncedCounter{period: c.Period, read: incr.Val()}
			s.schedule() // forgets it within rate, even with no increment
		case incr.Val() > sc.read: // another request read it meanwhile
			sc.read = incr.Val()
		}
		s.mu.Unlock()
	}
	return nil
}

// Get implements Policy from memory for the counters read since the last
// sync, from Redis for the others.
func (s *RedisSync) Get(ctx context.Context, counters []Counter, values []int64) error {
	for i := range counters {
		key := counters[i].Key()
		s.mu.Lock()
		sc := s.counters[key]
		if sc != nil {
			values[i] = sc.read + sc.delta
		}
		s.mu.Unlock()
		if sc == nil {
			if err := (&Redis{client: s.client}).Get(ctx, counters[i:i+1], values[i:i+1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// schedule starts the sync timer unless one is pending. The caller holds
// mu.
func (s *RedisSync) schedule() {
	if !s.pending {
		s.pending = true
		time.AfterFunc(s.rate, s.sync)
	}
}

// sync writes the increments made in memory to Redis and forgets every
// counter, so the next requests read them afresh. Increments made while
// it runs wait for the next sync.
func (s *RedisSync) sync() {
	s.mu.Lock()
	counters := s.counters
	s.counters = map[string]*syncedCounter{}
	s.pending = false
	s.mu.Unlock()
	ctx := context.Background()
	pipe := s.client.Pipeline()
	for key, sc := range counters {
		if sc.delta != 0 {
			pipe.IncrBy(ctx, key, sc.delta)
			pipe.Expire(ctx, key, time.Duration(sc.period.Expiration())*time.Second)
		}
	}
	if pipe.Len() == 0 {
		return
	}
	if _, err := pipe.Exec(ctx); err != nil {
		if l := s.log.Load(); l != nil {
			l.Error("failed to sync counters to Redis", "error", err)
		}
	}
}
