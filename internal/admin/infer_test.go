package admin

import (
	"errors"
	"log/slog"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

type subschemas map[string]*schema.Subschema

func (s subschemas) Subschema(k string) (*schema.Subschema, bool) {
	sub, ok := s[k]
	return sub, ok
}

func testCatalog() *entities.Catalog {
	return entities.NewCatalog(subschemas{"p": {Fields: []schema.Field{
		schema.RecordOf("config",
			schema.Int("minute"),
			schema.Bool("flag"),
			schema.ArrayOf("list", schema.Int("")),
			schema.MapOf("limits", schema.Str(""), schema.Num("")),
		),
	}}})
}

func TestInferEntity(t *testing.T) {
	cat := testCatalog()
	services, _ := cat.Get("services")
	routes, _ := cat.Get("routes")
	plugins, _ := cat.Get("plugins")
	upstreams, _ := cat.Get("upstreams")
	tests := []struct {
		name   string
		e      string
		form   string
		stored map[string]any
		want   map[string]any
	}{
		{"numbers and nulls", "services", "name=s&port=8080&retries=x&path=&tls_verify=true",
			nil, map[string]any{"name": "s", "port": int64(8080), "retries": "x", "path": nil, "tls_verify": true}},
		{"url shorthand kept as string", "services", "url=http://x:80/p", nil,
			map[string]any{"url": "http://x:80/p"}},
		{"boolean not true or false stays", "services", "enabled=yes", nil, map[string]any{"enabled": "yes"}},
		{"single value becomes array", "routes", "paths=/a&methods[]=GET&hosts=x.com&regex_priority=3",
			nil, map[string]any{"paths": []any{"/a"}, "methods": []any{"GET"}, "hosts": []any{"x.com"}, "regex_priority": int64(3)}},
		{"array of records", "routes", "sources[1].ip=1.2.3.4&sources[1].port=80", nil,
			map[string]any{"sources": []any{map[string]any{"ip": "1.2.3.4", "port": int64(80)}}}},
		{"map of arrays", "routes", "headers.x-a=1", nil,
			map[string]any{"headers": map[string]any{"x-a": []any{"1"}}}},
		{"foreign key", "routes", "service.id=abc&service.name=s", nil,
			map[string]any{"service": map[string]any{"id": "abc", "name": "s"}}},
		{"plugin config by name", "plugins", "name=p&config.minute=5&config.flag=false&config.list=1&config.limits.a=2.5",
			nil, map[string]any{"name": "p", "config": map[string]any{
				"minute": int64(5), "flag": false, "list": []any{int64(1)}, "limits": map[string]any{"a": 2.5}}}},
		{"plugin config by stored name", "plugins", "config.minute=5", map[string]any{"name": "p"},
			map[string]any{"config": map[string]any{"minute": int64(5)}}},
		{"unknown plugin config is left alone", "plugins", "name=nope&config.minute=5", nil,
			map[string]any{"name": "nope", "config": map[string]any{"minute": "5"}}},
		{"nested record defaults untouched", "upstreams", "healthchecks.active.healthy.interval=5&healthchecks.active.healthy.http_statuses=200",
			nil, map[string]any{"healthchecks": map[string]any{"active": map[string]any{"healthy": map[string]any{
				"interval": int64(5), "http_statuses": []any{int64(200)}}}}}},
		{"array element empty is null", "routes", "paths[]=&paths[]=/b", nil,
			map[string]any{"paths": []any{nil, "/b"}}},
	}
	byName := map[string]*schema.Entity{"services": services, "routes": routes, "plugins": plugins, "upstreams": upstreams}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := url.ParseQuery(tt.form)
			if err != nil {
				t.Fatal(err)
			}
			got := inferEntity(cat, byName[tt.e], decodeForm(formPairs(v), true), tt.stored)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRender(t *testing.T) {
	h := &Handler{log: slog.New(slog.DiscardHandler)}
	tests := []struct {
		name   string
		err    error
		status int
		body   any
	}{
		{"plain", errNotFound, 404, map[string]any{"message": "Not found"}},
		{"no body", errUnsupportedMedia, 415, nil},
		{"schema violation", store.SchemaViolation(&schema.ValidationError{Fields: schema.Errors{"host": "required field missing"}}),
			400, map[string]any{"code": 2, "name": "schema violation", "message": "schema violation (host: required field missing)",
				"fields": map[string]any{"host": "required field missing"}}},
		{"unique", store.NotFound(map[string]any{"name": "x"}), 404,
			map[string]any{"code": 6, "name": "not found", "message": "could not find the entity with '{name=\"x\"}'",
				"fields": map[string]any{"name": "x"}}},
		{"options", store.InvalidOptions("tags", "cannot be null"), 400,
			map[string]any{"code": 11, "name": "invalid options", "message": "invalid option (tags: cannot be null)",
				"options": map[string]any{"tags": "cannot be null"}}},
		{"unsupported", operationUnsupported("create", "services", ""), 405,
			map[string]any{"code": 12, "name": "operation unsupported",
				"message": "cannot create 'services' entities when not using a database"}},
		{"invalid unique", store.InvalidUniqueField("name", "bad"), 400,
			map[string]any{"code": 10, "name": "invalid unique name", "message": "bad"}},
		{"database", store.DatabaseError(errors.New("disk on fire")), 500, map[string]any{"message": "An unexpected error occurred"}},
		{"handler error inside a transaction", store.DatabaseError(errMethodNotAllowed), 405,
			map[string]any{"message": "Method not allowed"}},
		{"other", errors.New("boom"), 500, map[string]any{"message": "An unexpected error occurred"}},
		{"config", &ConfigError{Fields: map[string]any{"error": "x"}}, 400,
			map[string]any{"code": 14, "name": "invalid declarative configuration",
				"message": `declarative config is invalid: {error="x"}`, "fields": map[string]any{"error": "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := h.render(tt.err)
			if status != tt.status {
				t.Errorf("status = %d, want %d", status, tt.status)
			}
			if diff := cmp.Diff(tt.body, body); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
