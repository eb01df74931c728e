package httplog_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	"github.com/silverback-gw/silverback/internal/store"
)

// TestDefaults: a minimal config is completed with Kong 3.9's defaults.
func TestDefaults(t *testing.T) {
	e := plugintest.New(t, loaded)
	id := e.Plugin("http-log", "", `{"http_endpoint":"http://127.0.0.1:9/logs"}`)
	var row store.Row
	err := e.DB.View(context.Background(), func(tx *store.Txn) error {
		var err error
		row, err = tx.Get(context.Background(), "plugins", id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(row["config"])
	var got map[string]any
	json.Unmarshal(b, &got)
	want := map[string]any{
		"http_endpoint": "http://127.0.0.1:9/logs", "method": "POST", "content_type": "application/json",
		"timeout": 10000.0, "keepalive": 60000.0, "retry_count": nil, "queue_size": nil, "flush_timeout": nil,
		"headers": nil, "custom_fields_by_lua": nil,
		"queue": map[string]any{"max_batch_size": 1.0, "max_coalescing_delay": 1.0, "max_entries": 10000.0,
			"max_bytes": nil, "max_retry_time": 60.0, "initial_retry_delay": 0.01, "max_retry_delay": 60.0,
			"concurrency_limit": 1.0},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("config (-want +got):\n%s", d)
	}
	if got, _ := json.Marshal(row["protocols"]); string(got) != `["grpc","grpcs","http","https"]` {
		t.Errorf("protocols %s", got)
	}
}

// TestSchemaRefusals: Kong's messages for invalid configs.
func TestSchemaRefusals(t *testing.T) {
	e := plugintest.New(t, loaded)
	for _, tc := range []struct{ config, want string }{
		{`{}`, "schema violation (config.http_endpoint: required field missing)"},
		{`{"http_endpoint":"127.0.0.1/logs"}`, "schema violation (config.http_endpoint: missing scheme in url)"},
		{`{"http_endpoint":"http://h.test","method":"GET"}`, `schema violation (config.method: expected one of: POST, PUT, PATCH)`},
		{`{"http_endpoint":"http://h.test","content_type":"text/plain"}`, `schema violation (config.content_type: expected one of: application/json, application/json; charset=utf-8)`},
		{`{"http_endpoint":"http://h.test","headers":{"X-A":"1","Host":"h"}}`, "schema violation (config.headers: cannot contain 'Host' header)"},
		{`{"http_endpoint":"http://h.test","headers":{"coNTEnt-Length":"1"}}`, "schema violation (config.headers: cannot contain 'Content-Length' header)"},
		{`{"http_endpoint":"http://h.test","headers":{"coNTEnt-Type":"x"}}`, "schema violation (config.headers: cannot contain 'Content-Type' header)"},
		{`{"http_endpoint":"http://hi:there@h.test/path","headers":{"AuthoRIZATion":"x"}}`,
			"schema violation (config: specifying both an 'Authorization' header and user info in 'http_endpoint' is not allowed)"},
		{`{"http_endpoint":"http://h.test","queue":{"concurrency_limit":2}}`, "schema violation (config.queue.concurrency_limit: expected one of: -1, 1)"},
		{`{"http_endpoint":"http://h.test","queue":{"max_batch_size":0}}`, "schema violation (config.queue.max_batch_size: value should be between 1 and 1000000)"},
	} {
		err := e.TryInsert("plugins", `{"name":"http-log","config":`+tc.config+`}`)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: %v, want %s", tc.config, err, tc.want)
		}
	}
	for _, ok := range []string{
		`{"http_endpoint":"http://bob:password@h.test/path"}`,
		`{"http_endpoint":"http://h.test","headers":{"Authorization":"Bearer x","Content-LeNgth":"1"}}`,
		`{"http_endpoint":"http://h.test","custom_fields_by_lua":{"foo":"return 'bar'"},"retry_count":23,"queue_size":46,"flush_timeout":92}`,
	} {
		route := e.Route(e.Service(), "/")
		if err := e.TryInsert("plugins", `{"name":"http-log",`+plugintest.On("route", route)+`,"config":`+ok+`}`); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
}
