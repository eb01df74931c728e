package ratelimit

import (
	"errors"
	"time"

	"github.com/silverback-gw/silverback/internal/plugin"
)

// SyncRealtime is sync_rate's default: every request goes to Redis.
const SyncRealtime = -1

// Selector gives a plugin instance its policy.
type Selector struct {
	cluster bool
	fixed   Policy
	sync    *RedisSync
}

// NewSelector returns the selector of the policy named policy ("local",
// "cluster" or "redis"; "" counts as "local") on the Redis of redis,
// syncing every syncRate seconds unless syncRate is SyncRealtime.
func NewSelector(policy string, redis RedisConfig, syncRate float64) Selector {
	switch policy {
	case "cluster":
		return Selector{cluster: true}
	case "redis":
		if syncRate != SyncRealtime {
			s := NewRedisSync(redis, time.Duration(syncRate*float64(time.Second)))
			return Selector{fixed: s, sync: s}
		}
		return Selector{fixed: NewRedis(redis)}
	}
	return Selector{fixed: NodeLocal()}
}

// errNoDatabase is the cluster policy's failure on a runtime without
// store.
var errNoDatabase = errors.New("cluster policy: no database")

// Policy returns the policy for kong's request: the cluster policy finds
// the node's database through kong.Cache.
func (s Selector) Policy(kong *plugin.PDK) (Policy, error) {
	switch {
	case s.cluster:
		if kong.Cache == nil {
			return nil, errNoDatabase
		}
		return ClusterPolicy(kong.Cache.DB()), nil
	case s.sync != nil:
		s.sync.setLogger(kong.Log)
	}
	return s.fixed, nil
}
