package jwt_test

import (
	"net/http"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
)

// BenchmarkJWT is a whole request through the proxy over loopback
// without plugin and with jwt verifying an HS256 token (exp checked):
// compare with none for what the authentication costs (the credential
// and consumer come from the warm cache).
func BenchmarkJWT(b *testing.B) {
	for _, bc := range []struct {
		name   string
		plugin bool
	}{{"none", false}, {"jwt-HS256", true}} {
		b.Run(bc.name, func(b *testing.B) {
			e := plugintest.New(b, loaded)
			route := e.Route(e.Service(), "/")
			c := e.Insert("consumers", `{"username":"alice"}`)
			e.Insert("jwt_secrets", `{"consumer":{"id":"`+c+`"},"key":"`+aliceKey+`","secret":"`+aliceSecret+`"}`)
			if bc.plugin {
				e.Plugin("jwt", plugintest.On("route", route), `{"claims_to_verify":["exp"]}`)
			}
			req, _ := http.NewRequest("GET", e.Server.URL+"/bench", nil)
			req.Header.Set("Authorization", "Bearer "+aliceToken(b, map[string]any{"exp": farFuture}))
			e.Loop(b, req)
		})
	}
}
