package ratelimit

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// RedisConfig is the config.redis record (kong/tools/redis/schema.lua).
type RedisConfig struct {
	Host       string `json:"host"`
	Port       int    `json:"port"`
	Username   string `json:"username"`
	Password   string `json:"password"`
	Database   int    `json:"database"`
	Timeout    int    `json:"timeout"` // milliseconds
	SSL        bool   `json:"ssl"`
	SSLVerify  bool   `json:"ssl_verify"`
	ServerName string `json:"server_name"`
}

// Connection pools like Kong's keepalive pool (set_keepalive(10000, 100)):
// up to 100 idle connections, closed after 10 s unused.
const (
	redisIdleConns   = 100
	redisIdleTimeout = 10 * time.Second
)

var redisClients = struct {
	sync.Mutex
	m map[RedisConfig]*redis.Client
}{m: map[RedisConfig]*redis.Client{}}

// client returns the connection pool of c, one per distinct
// configuration for the process: plugin instances rebuilt by a
// configuration change reuse the pools of the previous ones, and a pool
// nobody uses holds no connection after redisIdleTimeout.
func (c RedisConfig) client() *redis.Client {
	redisClients.Lock()
	defer redisClients.Unlock()
	if cl, ok := redisClients.m[c]; ok {
		return cl
	}
	timeout := time.Duration(c.Timeout) * time.Millisecond
	o := &redis.Options{
		Addr:     net.JoinHostPort(c.Host, strconv.Itoa(c.Port)),
		Username: c.Username, Password: c.Password, DB: c.Database,
		DialTimeout: timeout, ReadTimeout: timeout, WriteTimeout: timeout,
		// One attempt, as Kong's cosocket: an unreachable Redis fails the
		// request's check at once (fault_tolerant decides what follows).
		MaxRetries: -1, DialerRetries: 1,
		PoolSize: redisIdleConns, MaxIdleConns: redisIdleConns, ConnMaxIdleTime: redisIdleTimeout,
		// RESP2 with no client name: nothing but AUTH and SELECT on
		// connect, which every Redis version Kong supports understands.
		Protocol: 2, DisableIdentity: true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}
	if c.SSL {
		name := c.ServerName
		if name == "" {
			name = c.Host
		}
		o.TLSConfig = &tls.Config{ServerName: name, InsecureSkipVerify: !c.SSLVerify, MinVersion: tls.VersionTLS12}
	}
	cl := redis.NewClient(o)
	redisClients.m[c] = cl
	return cl
}

// Redis is the redis policy with sync_rate -1: every request reads and
// increments the counters in Redis in one round trip (a pipeline of
// INCRBY and EXPIRE per counter), so all nodes sharing the Redis share
// the limits exactly.
type Redis struct {
	client *redis.Client
}

var _ Policy = (*Redis)(nil)

// NewRedis returns the redis policy on the Redis of c.
func NewRedis(c RedisConfig) *Redis { return &Redis{client: c.client()} }

// Add implements Policy. Each addition sets the key to expire after its
// period's Expiration (Kong sets it when the key is created): the key
// names its window, so it only has to outlive the window.
func (r *Redis) Add(ctx context.Context, counters []Counter, n int64, before []int64) error {
	pipe := r.client.Pipeline()
	incrs := make([]*redis.IntCmd, len(counters))
	for i := range counters {
		c := &counters[i]
		key := c.Key()
		incrs[i] = pipe.IncrBy(ctx, key, n)
		pipe.Expire(ctx, key, time.Duration(c.Period.Expiration())*time.Second)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return err
	}
	for i, cmd := range incrs {
		before[i] = cmd.Val() - n
	}
	return nil
}

// Get implements Policy, with one MGET.
func (r *Redis) Get(ctx context.Context, counters []Counter, values []int64) error {
	keys := make([]string, len(counters))
	for i := range counters {
		keys[i] = counters[i].Key()
	}
	vs, err := r.client.MGet(ctx, keys...).Result()
	if err != nil {
		return err
	}
	for i, v := range vs {
		values[i] = 0
		if s, ok := v.(string); ok {
			if values[i], err = strconv.ParseInt(s, 10, 64); err != nil {
				return errors.New("redis: counter " + keys[i] + " is not an integer: " + s)
			}
		}
	}
	return nil
}
