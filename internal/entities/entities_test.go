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
