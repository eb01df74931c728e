package responseratelimiting_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisDB is the Redis database the tests use, so that they never touch
// another's keys; every key also names its test's random route id.
const redisDB = 8

// TestRedis: the log phase adds the spent units to Kong's keys in Redis,
// which access reads back.
func TestRedis(t *testing.T) {
	rc := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", DB: redisDB, Protocol: 2})
	defer rc.Close()
	ctx := context.Background()
	if err := rc.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis is not reachable at 127.0.0.1:6379 (run scripts/test-services.sh): %v", err)
	}
	e, route := routed(t, fmt.Sprintf(`{"limit_by":"ip","policy":"redis","redis":{"host":"127.0.0.1","port":6379,"database":%d},"limits":{"video":{"hour":5,"day":9}}}`, redisDB))
	if res, _ := e.Get(spend("video=2")); res.StatusCode != 200 {
		t.Fatalf("%d", res.StatusCode)
	}
	remaining(t, e, "video", "3")
	keys := rc.Keys(ctx, "response-ratelimit:"+route+":*").Val()
	if len(keys) != 2 {
		t.Fatalf("keys %v, want one per period", keys)
	}
	for _, key := range keys {
		// response-ratelimit:<route>:<service>:<identifier>:<start ms>:<name>:<period>
		parts := strings.Split(key, ":")
		ttl := rc.TTL(ctx, key).Val()
		if len(parts) != 7 || parts[3] != "127.0.0.1" || parts[5] != "video" || rc.Get(ctx, key).Val() != "2" ||
			ttl <= 0 || ttl > map[string]time.Duration{"hour": time.Hour, "day": 24 * time.Hour}[parts[6]] {
			t.Errorf("%s = %s, ttl %v", key, rc.Get(ctx, key).Val(), ttl)
		}
	}
}
