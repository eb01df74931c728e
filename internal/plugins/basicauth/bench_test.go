package basicauth_test

import (
	"net/http"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

// BenchmarkBasicAuth is a whole request through the proxy over loopback,
// without plugin and authenticated by basic-auth: the difference is what
// authentication costs (header parsing, base64, the SHA-1 of the password;
// the credential and consumer come from the warm cache).
func BenchmarkBasicAuth(b *testing.B) {
	for _, bc := range []struct {
		name    string
		plugins []string
	}{{"none", nil}, {"basic-auth", []string{"basic-auth"}}} {
		b.Run(bc.name, func(b *testing.B) {
			e := plugintest.New(b, loaded)
			route := e.Route(e.Service(), "/")
			c := e.Insert("consumers", `{"username":"alice"}`)
			e.Insert("basicauth_credentials", `{"consumer":{"id":"`+c+`"},"username":"alice","password":"bench-password"}`)
			for _, p := range bc.plugins {
				e.Plugin(p, plugintest.On("route", route), "")
			}
			req, _ := http.NewRequest("GET", e.Server.URL+"/bench", nil)
			req.Header.Set("Authorization", basic("alice", "bench-password"))
			e.Loop(b, req)
		})
	}
}
