package ratelimiting_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// violation returns the field errors of inserting a rate-limiting plugin
// with config on a new route, as the Admin API renders them; nil when it
// is accepted.
func violation(t *testing.T, e *plugintest.Env, config string) map[string]any {
	t.Helper()
	route := e.Route(e.Service(), "/")
	err := e.TryInsert("plugins", `{"name":"rate-limiting",`+plugintest.On("route", route)+`,"config":`+config+`}`)
	if err == nil {
		return nil
	}
	se, ok := store.AsError(err)
	if !ok {
		t.Fatalf("%s: %v", config, err)
	}
	b, _ := json.Marshal(schema.Errors(se.Fields).JSON())
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func decode(s string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		panic(err)
	}
	return m
}

// TestSchemaRefusals: Kong's messages, at Kong's places. Where a field
// of config is refused, only config's errors are compared: the entity
// checks on config.* fields also report (package schema runs them on the
// validated values, where Kong runs them on the input).
func TestSchemaRefusals(t *testing.T) {
	e := plugintest.New(t, loaded)
	for _, c := range []struct{ config, want string }{
		{`{}`, `{"@entity":["at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'"]}`},
		{`{"second":20,"hour":10}`, `{"config":"The limit for hour(10.0) cannot be lower than the limit for second(20.0)"}`},
		{`{"second":10,"minute":20,"hour":30,"day":40,"month":60,"year":50}`, `{"config":"The limit for year(50.0) cannot be lower than the limit for month(60.0)"}`},
		{`{"second":0}`, `{"config":{"second":"value must be greater than 0"}}`},
		{`{"second":1,"error_code":0}`, `{"config":{"error_code":"value must be greater than 0"}}`},
		{`{"second":1,"limit_by":"header"}`, `{"@entity":["failed conditional validation given value of field 'config.limit_by'"],"config.header_name":"required field missing"}`},
		{`{"second":1,"limit_by":"path"}`, `{"@entity":["failed conditional validation given value of field 'config.limit_by'"],"config.path":"required field missing"}`},
		{`{"second":1,"limit_by":"route"}`, `{"config":{"limit_by":"expected one of: consumer, credential, ip, service, header, path"}}`},
		{`{"second":1,"policy":"redis"}`, `{"@entity":["failed conditional validation given value of field 'config.policy'"],"config.redis.host":"required field missing"}`},
		{`{"second":1,"sync_rate":1}`, `{"config":"sync_rate can only be used with the redis policy"}`},
		{`{"second":1,"policy":"redis","redis":{"host":"r"},"sync_rate":0.01}`, `{"config":"sync_rate must be greater than 0.02, or -1 to disable"}`},
		{`{"second":1,"policy":"redis","redis":{"host":"r","port":7000},"redis_port":7001}`,
			`{"config":{"redis_port":"both deprecated and new field are used but their values mismatch: redis_port = 7001 vs redis.port = 7000"}}`},
		{`{"second":1,"redis_port":70000}`, `{"config":{"redis_port":"value should be between 0 and 65535"}}`},
	} {
		got, want := violation(t, e, c.config), decode(c.want)
		if cfg, ok := got["config"].(map[string]any); ok && want["@entity"] == nil {
			got = map[string]any{"config": cfg}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.config, diff)
		}
	}
	for _, ok := range []string{
		`{"second":10,"minute":20,"hour":30,"day":40,"month":50,"year":60}`,
		`{"second":10,"limit_by":"header","header_name":"X-App-Version"}`,
		`{"second":10,"limit_by":"path","path":"/request"}`,
		`{"second":10,"policy":"redis","redis":{"host":"r"},"sync_rate":0.5}`,
		`{"second":10,"policy":"redis","redis":{"host":"r","port":7000},"redis_port":7000}`,
	} {
		if got := violation(t, e, ok); got != nil {
			t.Errorf("%s refused: %v", ok, got)
		}
	}
}

// TestSchemaDefaults: the stored configuration is Kong's, and the
// deprecated redis_* fields land in config.redis.
func TestSchemaDefaults(t *testing.T) {
	e := plugintest.New(t, loaded)
	id := e.Insert("plugins", `{"name":"rate-limiting","config":{"minute":5,"policy":"redis","redis_host":"redis.test","redis_port":7000,
		"redis_username":"u","redis_password":"p","redis_database":2,"redis_timeout":1100,"redis_ssl":true,"redis_ssl_verify":true,"redis_server_name":"sni.test"}}`)
	var row store.Row
	ctx := context.Background()
	if err := e.DB.View(ctx, func(tx *store.Txn) (err error) { row, err = tx.Get(ctx, "plugins", id); return err }); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(row["config"])
	want := `{"second":null,"minute":5,"hour":null,"day":null,"month":null,"year":null,
		"limit_by":"consumer","header_name":null,"path":null,"policy":"redis","fault_tolerant":true,
		"redis":{"host":"redis.test","port":7000,"timeout":1100,"username":"u","password":"p","database":2,"ssl":true,"ssl_verify":true,"server_name":"sni.test"},
		"hide_client_headers":false,"error_code":429,"error_message":"API rate limit exceeded","sync_rate":-1,
		"redis_host":null,"redis_port":null,"redis_timeout":null,"redis_username":null,"redis_password":null,
		"redis_database":null,"redis_ssl":null,"redis_ssl_verify":null,"redis_server_name":null}`
	if diff := cmp.Diff(decode(want), decode(string(b))); diff != "" {
		t.Errorf("stored config (-want +got):\n%s", diff)
	}
}
