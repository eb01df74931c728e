package keyauth_test

import (
	"net/http"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

// BenchmarkKeyAuth is a whole request through the proxy over loopback
// without plugin, with key-auth, and with key-auth and acl: compare with
// none for what authentication costs (the credential, consumer and
// groups come from the warm cache).
func BenchmarkKeyAuth(b *testing.B) {
	for _, bc := range []struct {
		name    string
		plugins []string
	}{{"none", nil}, {"key-auth", []string{"key-auth"}}, {"key-auth+acl", []string{"key-auth", "acl"}}} {
		b.Run(bc.name, func(b *testing.B) {
			e := plugintest.New(b, loaded)
			route := e.Route(e.Service(), "/")
			c := e.Insert("consumers", `{"username":"alice"}`)
			e.Insert("keyauth_credentials", `{"consumer":{"id":"`+c+`"},"key":"bench-key"}`)
			e.Insert("acls", `{"consumer":{"id":"`+c+`"},"group":"gold"}`)
			for _, p := range bc.plugins {
				config := ""
				if p == "acl" {
					config = `{"allow":["gold"]}`
				}
				e.Plugin(p, plugintest.On("route", route), config)
			}
			req, _ := http.NewRequest("GET", e.Server.URL+"/bench", nil)
			req.Header.Set("apikey", "bench-key")
			e.Loop(b, req)
		})
	}
}
