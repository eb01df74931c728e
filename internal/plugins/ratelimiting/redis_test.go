package ratelimiting_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

// redisDB is the Redis database the tests use, so that they never touch
// another's keys; every key also names its test's random route id.
const redisDB = 7

func redisClient(t testing.TB) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", DB: redisDB, Protocol: 2})
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("Redis is not reachable at 127.0.0.1:6379 (run scripts/test-services.sh): %v", err)
	}
	return c
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// TestRedis: the counters live in Redis under Kong's keys, with the
// period's expiry, and a refused request is given back.
func TestRedis(t *testing.T) {
	rc := redisClient(t)
	e := plugintest.New(t, loaded)
	svc := e.Service()
	route := e.Route(svc, "/")
	e.Plugin("rate-limiting", plugintest.On("route", route),
		fmt.Sprintf(`{"hour":2,"day":10,"limit_by":"service","policy":"redis","redis":{"host":"127.0.0.1","port":6379,"database":%d}}`, redisDB))
	for i, want := range []int{200, 200, 429} {
		res, body := e.Get("/")
		if res.StatusCode != want {
			t.Fatalf("request %d: %d %s", i, res.StatusCode, body)
		}
	}
	keys, err := rc.Keys(context.Background(), "ratelimit:"+route+":*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 {
		t.Fatalf("keys %v, want one per period", keys)
	}
	for _, key := range keys {
		// ratelimit:<route>:<service>:<identifier: the service>:<start ms>:<period>,
		// with the instance's own route and service (none: the zero uuid)
		parts := strings.Split(key, ":")
		if len(parts) != 6 || parts[2] != "00000000-0000-0000-0000-000000000000" || parts[3] != svc || parts[4][len(parts[4])-3:] != "000" {
			t.Errorf("key %q", key)
		}
		v, _ := rc.Get(context.Background(), key).Int()
		ttl := rc.TTL(context.Background(), key).Val()
		limit := map[string]time.Duration{"hour": time.Hour, "day": 24 * time.Hour}[parts[5]]
		if v != 2 || ttl <= 0 || ttl > limit {
			t.Errorf("%s = %d with ttl %v, want 2 expiring within %v", key, v, ttl, limit)
		}
	}
}

// TestFaultTolerant: a Redis that cannot be reached lets requests through
// without headers when fault_tolerant, and fails them with Kong's 500
// otherwise.
func TestFaultTolerant(t *testing.T) {
	port := closedPort(t)
	for _, c := range []struct {
		tolerant bool
		want     int
	}{{true, 200}, {false, 500}} {
		e, _ := routed(t, fmt.Sprintf(`{"minute":1,"policy":"redis","fault_tolerant":%t,"redis":{"host":"127.0.0.1","port":%d}}`, c.tolerant, port))
		for range 2 {
			res, body := e.Get("/")
			if res.StatusCode != c.want || len(headers(res)) != 0 {
				t.Errorf("fault_tolerant %t: %d %v %s", c.tolerant, res.StatusCode, headers(res), body)
			}
			if c.want == 500 && !strings.Contains(body, "An unexpected error occurred") {
				t.Errorf("fault_tolerant false: body %s", body)
			}
		}
		if !strings.Contains(e.Logs.String(), "failed to get usage") {
			t.Errorf("fault_tolerant %t: the failure was not logged: %s", c.tolerant, e.Logs.String())
		}
	}
}

// TestRedisSync: with sync_rate the node counts in memory, exactly, and
// writes its increments to Redis within sync_rate.
func TestRedisSync(t *testing.T) {
	rc := redisClient(t)
	e, route := routed(t, fmt.Sprintf(`{"hour":3,"limit_by":"ip","policy":"redis","sync_rate":0.05,"redis":{"host":"127.0.0.1","port":6379,"database":%d}}`, redisDB))
	for i, want := range []int{200, 200, 200, 429, 429} {
		res, body := e.Get("/")
		if res.StatusCode != want {
			t.Fatalf("request %d: %d %s", i, res.StatusCode, body)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		keys := rc.Keys(context.Background(), "ratelimit:"+route+":*").Val()
		if len(keys) == 1 {
			if v, _ := rc.Get(context.Background(), keys[0]).Int(); v == 3 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Redis holds %v, want one counter at 3", keys)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
