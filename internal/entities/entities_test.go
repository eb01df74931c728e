package entities

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/silverback-gw/silverback/internal/schema"
)

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func validationMessage(err error) string {
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		return ve.Error()
	}
	if err != nil {
		return "unexpected: " + err.Error()
	}
	return ""
}

func TestServiceDefaultsAndURL(t *testing.T) {
	row, err := Services.Validate(decode(t, `{"name":"svc","url":"https://example.com:8443/api"}`), schema.OpInsert)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"name": "svc", "protocol": "https", "host": "example.com", "port": int64(8443),
		"path": "/api", "retries": int64(5), "connect_timeout": int64(60000), "write_timeout": int64(60000),
		"read_timeout": int64(60000), "enabled": true, "tags": nil, "client_certificate": nil,
		"tls_verify": nil, "tls_verify_depth": nil, "ca_certificates": nil}
	for k, v := range want {
		if !schema.Equal(row[k], v) {
			t.Errorf("%s = %#v, want %#v", k, row[k], v)
		}
	}
	if !schema.IsUUID(row["id"].(string)) || row["created_at"] == nil || row["updated_at"] == nil {
		t.Errorf("auto fields not filled: %v", row)
	}
	if _, ok := row["url"]; ok {
		t.Error("url shorthand must not be stored")
	}
}

func TestValidationMessages(t *testing.T) {
	tests := []struct {
		name   string
		entity *schema.Entity
		input  string
		want   string
	}{
		{"service host missing", Services, `{}`, "schema violation (host: required field missing)"},
		{"service host port", Services, `{"host":"a.com:80"}`, "schema violation (host: must not have a port)"},
		{"service bad retries", Services, `{"host":"a","retries":-1}`, "schema violation (retries: value should be between 0 and 32767)"},
		{"service two errors", Services, `{"host":"a","port":"x","protocol":"ftp"}`,
			"2 schema violations (port: expected an integer; protocol: expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp)"},
		{"service unknown field", Services, `{"host":"a","foo":1}`, "schema violation (foo: unknown field)"},
		{"service path on grpc", Services, `{"host":"a","protocol":"grpc","path":"/x"}`,
			"2 schema violations (failed conditional validation given value of field 'protocol'; path: value must be null)"},
		{"route no matcher", Routes, `{"protocols":["http"]}`,
			"schema violation (must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http')"},
		{"route bad path", Routes, `{"paths":["foo"]}`,
			"schema violation (paths.1: should start with: / (fixed path) or ~/ (regex path))"},
		{"route non normalized", Routes, `{"paths":["/a/../b"]}`,
			"schema violation (paths.1: non-normalized path, consider use '/b' instead)"},
		{"route lower method", Routes, `{"methods":["get"]}`, "schema violation (methods.1: invalid value: get)"},
		{"route host header", Routes, `{"headers":{"Host":["x"]}}`,
			"schema violation (headers: cannot contain 'host' header, which must be specified in the 'hosts' attribute)"},
		{"stream route no matcher", Routes, `{"protocols":["tcp"]}`,
			"schema violation (must set one of 'sources', 'destinations', 'snis' when 'protocols' is 'tcp', 'tls' or 'udp')"},
		{"passthrough route without snis", Routes, `{"protocols":["tls_passthrough"],"sources":[{"ip":"10.0.0.1"}]}`,
			"schema violation (must set snis when 'protocols' is 'tls_passthrough')"},
		{"snis on tcp and udp", Routes, `{"protocols":["tcp","udp"],"snis":["example.org"]}`,
			"2 schema violations ('snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'; snis: length must be 0)"},
		{"paths on a stream route", Routes, `{"protocols":["tls"],"snis":["a.test"],"paths":["/"]}`,
			"schema violation (paths: cannot set 'paths' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp')"},
		{"sources on an http route", Routes, `{"hosts":["a.test"],"sources":[{"ip":"10.0.0.1"}]}`,
			"schema violation (sources: cannot set 'sources' when 'protocols' is 'http' or 'https')"},
		{"source port range", Routes, `{"protocols":["udp"],"sources":[{"ip":"127.0.0.1"},{"ip":"127.75.78.72","port":65536}]}`,
			"schema violation (sources.2.port: value should be between 0 and 65535)"},
		{"source ip", Routes, `{"protocols":["tcp"],"destinations":[{"ip":"::/129"}]}`,
			"schema violation (destinations.1.ip: invalid ip or cidr range: '::/129')"},
		{"empty source", Routes, `{"protocols":["tcp"],"sources":[{}]}`,
			"schema violation (sources.1: at least one of these fields must be non-empty: 'ip', 'port')"},
		{"consumer empty", Consumers, `{}`,
			"schema violation (at least one of these fields must be non-empty: 'custom_id', 'username')"},
		{"upstream ip name", Upstreams, `{"name":"10.0.0.1"}`,
			"schema violation (name: Invalid name ('10.0.0.1'); no ip addresses allowed)"},
		{"target bad", Targets, `{"upstream":{"id":"6bd6e1a8-a5d1-4b0e-9a4e-0f1f5a9c7f10"},"target":"a b"}`,
			"schema violation (target: Invalid target ('a b'); not a valid hostname or ip address)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.entity.Validate(decode(t, tt.input), schema.OpInsert)
			if diff := cmp.Diff(tt.want, validationMessage(err)); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUpstreamShorthands(t *testing.T) {
	row, err := Upstreams.Validate(decode(t, `{"name":"up","hash_on":"ip"}`), schema.OpInsert)
	if err != nil {
		t.Fatal(err)
	}
	if row["algorithm"] != "consistent-hashing" || row["hash_fallback"] != "none" || row["slots"] != int64(10000) {
		t.Errorf("got %v", row)
	}
	hc := row["healthchecks"].(map[string]any)
	active := hc["active"].(map[string]any)
	if active["http_path"] != "/" || active["type"] != "http" || active["https_verify_certificate"] != true {
		t.Errorf("healthchecks defaults: %v", active)
	}
}

func TestTargetNormalized(t *testing.T) {
	for in, want := range map[string]string{"10.0.0.1": "10.0.0.1:8000", "::1": "[::1]:8000",
		"[::1]:80": "[::1]:80", "example.com": "example.com:8000", "example.com:81": "example.com:81"} {
		got, err := NormalizeTarget(in)
		if err != nil || got != want {
			t.Errorf("NormalizeTarget(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// TestRouteEndpoints: a stream route's sources and destinations reach the
// runtime's Route, unset ips and ports as "" and 0.
func TestRouteEndpoints(t *testing.T) {
	row, err := Routes.Validate(decode(t, `{"protocols":["tcp"],"sources":[{"ip":"10.0.0.0/8"},{"port":9000}],
		"destinations":[{"ip":"127.0.0.1","port":5000}]}`), schema.OpInsert)
	if err != nil {
		t.Fatal(err)
	}
	rt := RouteFromRow(row)
	want := []Endpoint{{IP: "10.0.0.0/8"}, {Port: 9000}}
	if diff := cmp.Diff(want, rt.Sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Endpoint{{IP: "127.0.0.1", Port: 5000}}, rt.Destinations); diff != "" {
		t.Errorf("destinations (-want +got):\n%s", diff)
	}
}
