package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// testInsert: defaults filled with their exact types, auto fields
// generated, and the stored entity read back equal to the one returned.
func testInsert(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	service := h.insert("services", `{"name":"s1","host":"example.com"}`)
	upstream := h.insert("upstreams", `{"name":"u1.test"}`)
	tests := []struct {
		name, entity, body string
		want               store.Row
	}{
		{"service", "services", `{"name":"s2","host":"example.com"}`, store.Row{
			"name": "s2", "host": "example.com", "protocol": "http", "port": int64(80), "path": nil,
			"retries": int64(5), "connect_timeout": int64(60000), "write_timeout": int64(60000),
			"read_timeout": int64(60000), "tags": nil, "client_certificate": nil, "tls_verify": nil,
			"tls_verify_depth": nil, "ca_certificates": nil, "enabled": true,
		}},
		{"consumer with tags", "consumers", `{"username":"bob","tags":["a","b","a"]}`, store.Row{
			"username": "bob", "custom_id": nil, "tags": []any{"a", "b"},
		}},
		{"route", "routes", `{"name":"r1","paths":["/a"],"service":{"id":"` + service["id"].(string) + `"}}`, store.Row{
			"name": "r1", "protocols": []any{"http", "https"}, "methods": nil, "hosts": nil,
			"paths": []any{"/a"}, "headers": nil, "https_redirect_status_code": int64(426),
			"regex_priority": int64(0), "strip_path": true, "path_handling": "v0", "preserve_host": false,
			"request_buffering": true, "response_buffering": true, "snis": nil, "sources": nil,
			"destinations": nil, "tags": nil, "service": map[string]any{"id": service["id"]},
		}},
		{"target", "targets", `{"target":"10.0.0.1","upstream":{"id":"` + upstream["id"].(string) + `"}}`, store.Row{
			"target": "10.0.0.1:8000", "weight": int64(100), "tags": nil,
			"upstream": map[string]any{"id": upstream["id"]},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := h.insert(tt.entity, tt.body)
			if !schema.IsUUID(got["id"].(string)) {
				t.Errorf("id = %v, want a UUID", got["id"])
			}
			if got["created_at"] == nil || !cmp.Equal(got["created_at"], got["updated_at"]) {
				t.Errorf("created_at = %#v, updated_at = %#v: want equal, set", got["created_at"], got["updated_at"])
			}
			if diff := cmp.Diff(tt.want, withoutUnset(withoutAuto(got), tt.want)); diff != "" {
				t.Errorf("inserted (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(got, h.get(tt.entity, got["id"].(string))); diff != "" {
				t.Errorf("stored differs from returned (-returned +stored):\n%s", diff)
			}
		})
	}
	t.Run("target timestamps are float seconds", func(t *testing.T) {
		target := h.all("targets", store.Query{})[0]
		if _, ok := target["created_at"].(float64); !ok {
			t.Errorf("created_at = %#v, want float64", target["created_at"])
		}
	})
}

// withoutUnset keeps the keys of r that want lists, plus any key want
// lacks whose value is not null (so unexpected fields still show).
func withoutUnset(r, want store.Row) store.Row {
	out := store.Row{}
	for k, v := range r {
		if _, listed := want[k]; listed || v != nil {
			out[k] = v
		}
	}
	return out
}

// testGet: by id and by each unique field, missing entities are nil.
func testGet(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	svc := h.insert("services", `{"name":"s1","host":"example.com"}`)
	bob := h.insert("consumers", `{"username":"bob","custom_id":"b-1"}`)
	up := h.insert("upstreams", `{"name":"u1.test"}`)
	target := h.insert("targets", `{"target":"a.test:81","upstream":{"id":"`+up["id"].(string)+`"}}`)
	tests := []struct {
		name, entity, field string
		value               any
		want                store.Row
	}{
		{"service by id", "services", "id", svc["id"], svc},
		{"service by name", "services", "name", "s1", svc},
		{"consumer by username", "consumers", "username", "bob", bob},
		{"consumer by custom_id", "consumers", "custom_id", "b-1", bob},
		{"upstream by name", "upstreams", "name", "u1.test", up},
		{"target by cache key", "targets", "cache_key", store.CacheKey(h.entity("targets"), target), target},
		{"missing id", "services", "id", "7f4d8ad3-1c1b-4b8e-9f1e-2d0c7b0c6a11", nil},
		{"missing name", "services", "name", "nope", nil},
		{"missing username", "consumers", "username", "alice", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got store.Row
			if tt.field == "id" {
				got = h.get(tt.entity, tt.value.(string))
			} else {
				got = h.getBy(tt.entity, tt.field, tt.value)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
