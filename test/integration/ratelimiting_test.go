package integration

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/silverback-gw/silverback/internal/testutil/pgkong"
	"github.com/silverback-gw/silverback/internal/testutil/pgtest"
)

// TestRateLimitingAcrossNodes: two nodes on one PostgreSQL database share
// a rate-limiting plugin's limit, counted in ratelimiting_metrics (policy
// cluster) or in Redis (policy redis): the requests split across both
// nodes pass up to the limit, the next is refused on either node.
func TestRateLimitingAcrossNodes(t *testing.T) {
	db := pgkong.Bootstrapped(t)
	a, b := clusterNode(t, db, nil), clusterNode(t, db, nil)
	up := upstream(t, "up")
	mustAdmin(t, a, "POST", "/services", `{"name":"s","url":"`+up.URL+`"}`, 201)
	const limit = 5
	for _, c := range []struct{ policy, redis string }{
		{"cluster", ""},
		{"redis", `,"redis":{"host":"127.0.0.1","port":6379,"database":9}`},
	} {
		t.Run(c.policy, func(t *testing.T) {
			path := "/" + c.policy
			route := mustAdmin(t, a, "POST", "/services/s/routes", `{"paths":["`+path+`"]}`, 201)["id"].(string)
			propagation(t, 2*time.Second, path, "up", a, b)
			// counted by the X-Client header: the wait for the plugin on
			// both nodes spends another client's requests
			mustAdmin(t, a, "POST", "/routes/"+route+"/plugins", fmt.Sprintf(
				`{"name":"rate-limiting","config":{"hour":%d,"limit_by":"header","header_name":"X-Client","policy":"%s"%s}}`,
				limit, c.policy, c.redis), 201)
			for _, n := range []*node{a, b} {
				eventually(t, 2*time.Second, "the plugin on "+n.proxy, func() bool {
					res := send(t, n, path, "warm-up")
					return res.Header.Get("X-RateLimit-Limit-Hour") == strconv.Itoa(limit)
				})
			}
			for i := range limit {
				n := []*node{a, b}[i%2]
				res := send(t, n, path, "shared")
				if res.StatusCode != 200 || res.Header.Get("X-RateLimit-Remaining-Hour") != strconv.Itoa(limit-1-i) {
					t.Fatalf("request %d on node %d: %d, remaining %s", i, i%2, res.StatusCode, res.Header.Get("X-RateLimit-Remaining-Hour"))
				}
			}
			for i, n := range []*node{a, b} {
				if res := send(t, n, path, "shared"); res.StatusCode != 429 || res.Header.Get("Retry-After") == "" {
					t.Errorf("over the limit on node %d: %d %v", i, res.StatusCode, res.Header)
				}
			}
			switch c.policy {
			case "redis":
				rc := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", DB: 9, Protocol: 2})
				defer rc.Close()
				keys := rc.Keys(context.Background(), "ratelimit:"+route+":*:shared:*:hour").Val()
				if len(keys) != 1 || rc.Get(context.Background(), keys[0]).Val() != strconv.Itoa(limit) {
					t.Errorf("Redis keys %v, want one holding %d", keys, limit)
				}
			case "cluster":
				conn := pgtest.Connect(t, db)
				defer conn.Close(context.Background())
				var value int
				err := conn.QueryRow(context.Background(), `SELECT value FROM ratelimiting_metrics
					WHERE identifier = 'shared' AND period = 'hour' AND route_id = $1`, route).Scan(&value)
				if err != nil || value != limit {
					t.Errorf("ratelimiting_metrics holds %d (%v), want %d", value, err, limit)
				}
			}
		})
	}
}

// send proxies a GET for path through n as client.
func send(t *testing.T, n *node, path, client string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", n.proxy+path, nil)
	req.Header.Set("X-Client", client)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}
