package bundled_test

import (
	"net/http"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

// BenchmarkAuthChain is a whole request through the proxy over loopback
// with the plugins of a typical protected API, each step adding one:
// none, key-auth, key-auth + acl, key-auth + acl + rate-limiting by
// consumer (local, then redis at 127.0.0.1:6379, database 15). Limits are
// never reached; credentials, consumers and groups come from the warm
// cache. Compare each with none for what the chain costs per request.
func BenchmarkAuthChain(b *testing.B) {
	const rl = `{"minute":1000000000,"hour":1000000000,"limit_by":"consumer"`
	for _, bc := range []struct {
		name    string
		plugins [][2]string // name, config
	}{
		{"none", nil},
		{"key-auth", [][2]string{{"key-auth", ""}}},
		{"key-auth+acl", [][2]string{{"key-auth", ""}, {"acl", `{"allow":["gold"]}`}}},
		{"key-auth+acl+rl-local", [][2]string{{"key-auth", ""}, {"acl", `{"allow":["gold"]}`}, {"rate-limiting", rl + `}`}}},
		{"key-auth+acl+rl-redis", [][2]string{{"key-auth", ""}, {"acl", `{"allow":["gold"]}`},
			{"rate-limiting", rl + `,"policy":"redis","redis":{"host":"127.0.0.1","port":6379,"database":15}}`}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := plugintest.New(b, []string{"bundled"})
			route := e.Route(e.Service(), "/")
			c := e.Insert("consumers", `{"username":"alice"}`)
			e.Insert("keyauth_credentials", `{"consumer":{"id":"`+c+`"},"key":"bench-key"}`)
			e.Insert("acls", `{"consumer":{"id":"`+c+`"},"group":"gold"}`)
			for _, p := range bc.plugins {
				e.Plugin(p[0], plugintest.On("route", route), p[1])
			}
			req, _ := http.NewRequest("GET", e.Server.URL+"/bench", nil)
			req.Header.Set("apikey", "bench-key")
			e.Loop(b, req)
		})
	}
}
