package ratelimiting_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

// BenchmarkRateLimiting is a whole request through the proxy over
// loopback without plugin, with rate-limiting on the local policy (the
// node's memory) and on the redis policy (a round trip to the Redis at
// 127.0.0.1:6379): compare with none for what counting costs. Two
// windows are counted; the limits are never reached.
func BenchmarkRateLimiting(b *testing.B) {
	for _, bc := range []struct{ name, config string }{
		{"none", ""},
		{"local", `{"minute":1e12,"hour":1e12}`},
		{"redis", fmt.Sprintf(`{"minute":1e12,"hour":1e12,"policy":"redis","redis":{"host":"127.0.0.1","port":6379,"database":%d}}`, redisDB)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if bc.name == "redis" {
				redisClient(b)
			}
			e := plugintest.New(b, loaded)
			route := e.Route(e.Service(), "/")
			if bc.config != "" {
				e.Plugin("rate-limiting", plugintest.On("route", route), bc.config)
			}
			req, _ := http.NewRequest("GET", e.Server.URL+"/bench", nil)
			e.Loop(b, req)
		})
	}
}
