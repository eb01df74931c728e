package schema

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var testEntity = &Entity{
	Name: "things",
	Fields: []Field{
		ID, CreatedAt, UpdatedAt,
		Name,
		Int("count").Default(5).Between(0, 10),
		Str("mode").Required().Default("a").OneOf("a", "b"),
		SetOf("labels", Str("")),
		ArrayOf("paths", Str("").StartsWith("/")),
		RecordOf("limits",
			Int("second"),
			Num("ratio").Default(0.5),
			RecordOf("inner", Bool("on").Default(true)),
		),
		MapOf("meta", HeaderName, Str("")),
		Str("a"), Str("b"),
		Tags,
	},
	Checks: []Check{AtLeastOneOf("a", "b"), Conditional("mode", Cond{OneOf: []any{"b"}}, "count", Cond{Null: true})},
}

func jsonInput(t *testing.T, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestValidateFillsDefaultsAndCoerces(t *testing.T) {
	out, err := testEntity.Validate(jsonInput(t, `{"a":"x","labels":["p","q","p"],"limits":{"second":3}}`), OpInsert)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"name": nil, "count": int64(5), "mode": "a", "labels": []any{"p", "q"}, "paths": nil,
		"limits": map[string]any{"second": int64(3), "ratio": 0.5, "inner": map[string]any{"on": true}},
		"meta":   nil, "a": "x", "b": nil, "tags": nil,
	}
	for k, v := range want {
		if diff := cmp.Diff(v, out[k]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", k, diff)
		}
	}
	if !IsUUID(out["id"].(string)) || out["created_at"] == nil || out["updated_at"] != out["created_at"] {
		t.Errorf("auto fields: id %v created_at %v updated_at %v", out["id"], out["created_at"], out["updated_at"])
	}
}

func TestValidationErrors(t *testing.T) {
	tests := []struct {
		name, input, message, fields string
	}{
		{"one error", `{"a":"x","count":11}`,
			"schema violation (count: value should be between 0 and 10)", `{"count":"value should be between 0 and 10"}`},
		{"several, sorted, entity first", `{"count":"x","mode":"c"}`,
			"3 schema violations (at least one of these fields must be non-empty: 'a', 'b'; count: expected an integer; mode: expected one of: a, b)",
			`{"@entity":["at least one of these fields must be non-empty: 'a', 'b'"],"count":"expected an integer","mode":"expected one of: a, b"}`},
		{"element errors are a null-padded array", `{"a":"x","paths":["/ok","no"]}`,
			"schema violation (paths.2: should start with: /)", `{"paths":[null,"should start with: /"]}`},
		{"nested record", `{"a":"x","limits":{"second":"s","inner":{"on":1}}}`,
			"2 schema violations (limits.inner.on: expected a boolean; limits.second: expected an integer)",
			`{"limits":{"inner":{"on":"expected a boolean"},"second":"expected an integer"}}`},
		{"unknown and empty string", `{"a":"","zzz":1}`,
			"2 schema violations (a: length must be at least 1; zzz: unknown field)", `{"a":"length must be at least 1","zzz":"unknown field"}`},
		{"null required", `{"a":"x","mode":null}`, "schema violation (mode: required field missing)", `{"mode":"required field missing"}`},
		{"conditional", `{"a":"x","mode":"b","count":1}`,
			"2 schema violations (failed conditional validation given value of field 'mode'; count: value must be null)",
			`{"@entity":["failed conditional validation given value of field 'mode'"],"count":"value must be null"}`},
		{"map key", `{"a":"x","meta":{"bad key":"v"}}`,
			"schema violation (meta.bad key: bad header name 'bad key', allowed characters are A-Z, a-z, 0-9, '_', and '-')",
			`{"meta":{"bad key":"bad header name 'bad key', allowed characters are A-Z, a-z, 0-9, '_', and '-'"}}`},
		{"name typedef", `{"a":"x","name":"a b"}`,
			"schema violation (name: invalid value 'a b': it must only contain alphanumeric and '., -, _, ~' characters)", ""},
		{"tag typedef", `{"a":"x","tags":["a,b"]}`,
			"schema violation (tags.1: invalid tag 'a,b': expected printable ascii (except `,` and `/`) or valid utf-8 sequences)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := testEntity.Validate(jsonInput(t, tt.input), OpInsert)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			if ve.Error() != tt.message {
				t.Errorf("message:\n got %s\nwant %s", ve.Error(), tt.message)
			}
			if tt.fields != "" {
				got, _ := json.Marshal(ve.Fields.JSON())
				if string(got) != tt.fields {
					t.Errorf("fields:\n got %s\nwant %s", got, tt.fields)
				}
			}
		})
	}
}

func TestMergeUpdateMergesRecords(t *testing.T) {
	stored, err := testEntity.Validate(jsonInput(t, `{"a":"x","limits":{"second":3,"ratio":0.1},"labels":["p"]}`), OpInsert)
	if err != nil {
		t.Fatal(err)
	}
	merged, err := testEntity.MergeUpdate(stored, jsonInput(t, `{"limits":{"second":4},"labels":["q"]}`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := testEntity.Validate(merged, OpUpdate)
	if err != nil {
		t.Fatal(err)
	}
	limits := out["limits"].(map[string]any)
	if limits["second"] != int64(4) || limits["ratio"] != 0.1 {
		t.Errorf("record not merged field by field: %v", limits)
	}
	if diff := cmp.Diff([]any{"q"}, out["labels"]); diff != "" {
		t.Errorf("arrays are replaced (-want +got):\n%s", diff)
	}
	if out["id"] != stored["id"] || out["created_at"] != stored["created_at"] {
		t.Error("update changed id or created_at")
	}
}

func TestUnknownSubschemaStops(t *testing.T) {
	e := &Entity{Name: "plugins", Fields: []Field{ID, Str("name").Required(), RecordOf("config").Abstract()},
		SubschemaKey: "name", Subschemas: subschemas{},
		UnknownSubschema: func(k string) string { return "plugin '" + k + "' not enabled" }}
	_, err := e.Validate(map[string]any{"name": "nope"}, OpInsert)
	if err == nil || err.Error() != "schema violation (name: plugin 'nope' not enabled)" {
		t.Errorf("err = %v", err)
	}
	out, err := e.Validate(map[string]any{"name": "known"}, OpInsert)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"flag": false}, out["config"]); diff != "" {
		t.Errorf("subschema config defaults (-want +got):\n%s", diff)
	}
}

type subschemas struct{}

func (subschemas) Subschema(k string) (*Subschema, bool) {
	if k != "known" {
		return nil, false
	}
	return &Subschema{Fields: []Field{RecordOf("config", Bool("flag").Default(false))}}, true
}

func TestRenderJSON(t *testing.T) {
	got, err := json.Marshal(FieldsJSON([]Field{Int("port").Required().Default(80).Between(0, 65535), ForeignKey("service", "services").Cascade()}))
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"port":{"between":[0,65535],"default":80,"required":true,"type":"integer"}},{"service":{"on_delete":"cascade","reference":"services","type":"foreign"}}]`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestTypedefs(t *testing.T) {
	tests := []struct {
		field Field
		value string
		want  string // "" = valid
	}{
		{Host, "example.com", ""},
		{Host, "10.0.0.1", ""},
		{Host, "example.com:80", "must not have a port"},
		{Host, "exa mple", "invalid value: exa mple"},
		{WildcardHost, "*.example.com", ""},
		{WildcardHost, "a.*.com", "wildcard must be leftmost or rightmost character"},
		{WildcardHost, "*.*.com", "only one wildcard must be specified"},
		{WildcardHost, "10.0.0.1", "must not be an IP"},
		{UTF8Name, "servicé", ""},
		{UTF8Name, "a/b", "invalid value 'a/b': the only accepted ascii characters are alphanumerics or ., -, _, and ~"},
		{Path, "/a%2Fb", ""},
		{Path, "/a//b", "must not have empty segments"},
		{Path, "/a%zz", "invalid url-encoded value: '%zz'"},
		{Path, "/a b", "invalid path: '/a b' (characters outside of the reserved list of RFC 3986 found)"},
		{IPOrCIDR, "10.0.0.0/8", ""},
		{IPOrCIDR, "10.0.0.0/33", "invalid ip or cidr range: '10.0.0.0/33'"},
	}
	for _, tt := range tests {
		t.Run(tt.field.Name()+" "+tt.value, func(t *testing.T) {
			_, ferr := validateValue(tt.field, tt.value, OpInsert)
			got, _ := ferr.(string)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// Kong validates a foreign key with validate_primary_key(value, true): fields
// other than the primary key are ignored and only the id is kept.
func TestForeignKeyIgnoresNonPrimaryKeyFields(t *testing.T) {
	e := &Entity{Name: "children", Fields: []Field{ID, ForeignKey("thing", "things").Required()}}
	out, err := e.Validate(jsonInput(t, `{"thing":{"id":"7D2C8B2A-1F7C-4C59-9A4E-4E5B0A3E6F10","name":"x","count":3,"created_at":1}}`), OpInsert)
	if err != nil {
		t.Fatal(err)
	}
	if got := out["thing"]; !cmp.Equal(got, map[string]any{"id": "7d2c8b2a-1f7c-4c59-9a4e-4e5b0a3e6f10"}) {
		t.Errorf("thing = %v", got)
	}
	if _, err := e.Validate(jsonInput(t, `{"thing":{"name":"x"}}`), OpInsert); err == nil {
		t.Error("a foreign key without id validated")
	}
}

// TestRenderShorthandFields: a record's deprecated input forms render as
// Kong's shorthand_fields, with their deprecation's replacement paths,
// which go-kong reads to map them.
func TestRenderShorthandFields(t *testing.T) {
	rec := RecordOf("config", RecordOf("redis", Str("host"))).ShorthandFields(
		Str("redis_host").Deprecated(Deprecation{Message: "use redis.host", RemovalInVersion: "4.0",
			ReplacedWith: [][]string{{"redis", "host"}}}))
	got, _ := json.Marshal(FieldsJSON([]Field{rec}))
	want := `{"config":{"fields":[{"redis":{"fields":[{"host":{"type":"string"}}],"required":true,"type":"record"}}],"required":true,` +
		`"shorthand_fields":[{"redis_host":{"deprecation":{"message":"use redis.host","removal_in_version":"4.0",` +
		`"replaced_with":[{"path":["redis","host"]}]},"type":"string"}}],"type":"record"}}`
	if string(got) != "["+want+"]" {
		t.Errorf("got  %s\nwant [%s]", got, want)
	}
}
