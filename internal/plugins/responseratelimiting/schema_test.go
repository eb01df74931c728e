package responseratelimiting_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// TestSchema: Kong's messages for limits, and the redis checks.
func TestSchema(t *testing.T) {
	e := plugintest.New(t, loaded)
	for _, c := range []struct{ config, want string }{
		{`{}`, `{"config":{"limits":"required field missing"}}`},
		{`{"limits":{}}`, `{"config":{"limits":"length must be at least 1"}}`},
		{`{"limits":{"video":{}}}`, `{"config":{"limits":{"video":"at least one of these fields must be non-empty: 'second', 'minute', 'hour', 'day', 'month', 'year'"}}}`},
		{`{"limits":{"video":{"second":20,"hour":10}}}`, `{"config":{"limits":{"video":"the limit for hour(10.0) cannot be lower than the limit for second(20.0)"}}}`},
		{`{"limits":{"video":{"second":-1}}}`, `{"config":{"limits":{"video":{"second":"value must be greater than 0"}}}}`},
		{`{"limit_by":"header","limits":{"video":{"second":1}}}`, `{"config":{"limit_by":"expected one of: consumer, credential, ip"}}`},
		{`{"policy":"redis","limits":{"video":{"second":1}}}`, `{"@entity":["failed conditional validation given value of field 'config.policy'"],"config.redis.host":"required field missing"}`},
		{`{"policy":"redis","redis_host":"127.0.0.1","limits":{"video":{"second":1}}}`, `null`},
		{`{"limits":{"video":{"second":1,"minute":60},"image":{"day":3}}}`, `null`},
	} {
		route := e.Route(e.Service(), "/")
		err := e.TryInsert("plugins", `{"name":"response-ratelimiting",`+plugintest.On("route", route)+`,"config":`+c.config+`}`)
		var got map[string]any
		if err != nil {
			se, ok := store.AsError(err)
			if !ok {
				t.Fatalf("%s: %v", c.config, err)
			}
			b, _ := json.Marshal(schema.Errors(se.Fields).JSON())
			_ = json.Unmarshal(b, &got)
		}
		var want map[string]any
		_ = json.Unmarshal([]byte(c.want), &want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.config, diff)
		}
	}
}
