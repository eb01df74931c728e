package responseratelimiting_test

import (
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/ratelimiting"
)

// TestWithRateLimiting: both plugins on a route record their headers in
// the one set Kong keeps per request, and the response carries both.
func TestWithRateLimiting(t *testing.T) {
	e := plugintest.New(t, []string{"response-ratelimiting", "rate-limiting"})
	route := e.Route(e.Insert("services", `{"url":"`+upstream(t).URL+`"}`), "/")
	e.Plugin("rate-limiting", plugintest.On("route", route), `{"hour":5}`)
	e.Plugin("response-ratelimiting", plugintest.On("route", route), `{"limits":{"video":{"hour":3}}}`)
	res, _ := e.Get(spend("video=2"))
	for k, v := range map[string]string{
		"X-RateLimit-Remaining-Hour": "4", "RateLimit-Remaining": "4",
		"X-RateLimit-Remaining-Video": "3", "X-RateLimit-Remaining-Video-Hour": "1",
	} {
		if got := res.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}
