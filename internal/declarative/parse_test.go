package declarative

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
	"gopkg.in/yaml.v3"

	"github.com/silverback-gw/silverback/internal/schema"
)

// v5 recomputes a deterministic id from its definition: UUID v5 of key in
// the namespace v5(fd02801f-…, table).
func v5(table, key string) string {
	ns := uuid.NewSHA1(uuid.MustParse("fd02801f-0957-4a15-a55a-c8d9606f30b5"), []byte(table))
	return uuid.NewSHA1(ns, []byte(key)).String()
}

// nestedConfig uses every nesting the core catalog allows.
func nestedConfig() string {
	cert, key := testCert()
	return fmt.Sprintf(`_format_version: "3.0"
_comment: nested
_ignore: [anything, {goes: here}]
certificates:
- cert: %s
  key: %s
  snis:
  - name: example.com
    tags: [sni]
  - name: "*.example.org"
services:
- name: svc
  url: https://example.com:8443/api
  _comment: a service
  routes:
  - name: r1
    paths: [/one]
    plugins:
    - name: key-auth
  - paths: [/anonymous]
  plugins:
  - name: http-log
    config:
      http_endpoint: http://logs.example.com
consumers:
- username: bob
  keyauth_credentials:
  - key: bob-key
  acls:
  - group: admins
  plugins:
  - name: rate-limiting
    config: {second: 5}
upstreams:
- name: up
  targets:
  - target: 10.0.0.1:80
  - target: 10.0.0.2
    weight: 5
plugins:
- name: key-auth
  service: svc
  route: r1
  consumer: bob
sessions:
- session_id: abc
`, yamlBlock(cert, 4), yamlBlock(key, 4))
}

func TestParseNested(t *testing.T) {
	t.Parallel()
	cfg := mustParse(t, nestedConfig())
	counts := map[string]int{}
	for name, rows := range cfg.Entities {
		counts[name] = len(rows)
	}
	want := map[string]int{"certificates": 1, "snis": 2, "services": 1, "routes": 2, "plugins": 4,
		"consumers": 1, "keyauth_credentials": 1, "acls": 1, "upstreams": 1, "targets": 2, "sessions": 1}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Fatalf("rows per entity (-want +got):\n%s", diff)
	}

	svc := cfg.Entities["services"][0]
	svcID := v5("services", "svc")
	certID := cfg.Entities["certificates"][0]["id"].(string)
	bobID := v5("consumers", "bob")
	upID := v5("upstreams", "up")
	r1ID := v5("routes", "r1")
	checks := []struct {
		name      string
		got, want any
	}{
		{"service id", svc["id"], svcID},
		{"service url shorthand", []any{svc["protocol"], svc["host"], svc["port"], svc["path"]}, []any{"https", "example.com", int64(8443), "/api"}},
		{"service defaults", []any{svc["retries"], svc["enabled"], svc["tags"]}, []any{int64(5), true, nil}},
		{"route ids", []any{byName(cfg, "routes", "r1")["id"]}, []any{r1ID}},
		{"route service", byName(cfg, "routes", "r1")["service"], map[string]any{"id": svcID}},
		{"anonymous route service", findRow(cfg, "routes", "name", nil)["service"], map[string]any{"id": svcID}},
		{"plugin on route", pluginRow(cfg, "key-auth", r1ID, "", "")["id"], v5("plugins", "plugins:*:key-auth:"+r1ID+"::")},
		{"plugin on service", pluginRow(cfg, "http-log", "", svcID, "")["id"], v5("plugins", "plugins:*:http-log::"+svcID+":")},
		{"plugin on consumer", pluginRow(cfg, "rate-limiting", "", "", bobID)["id"], v5("plugins", "plugins:*:rate-limiting:::"+bobID)},
		{"plugin config defaults", pluginRow(cfg, "rate-limiting", "", "", bobID)["config"],
			map[string]any{"second": int64(5), "minute": nil, "policy": "local"}},
		{"top-level plugin by names", pluginRow(cfg, "key-auth", r1ID, svcID, bobID)["id"], v5("plugins", "plugins:*:key-auth:r1:svc:bob")},
		{"acl", cfg.Entities["acls"][0]["id"], v5("acls", "acls:*:"+bobID+":admins")},
		{"acl consumer", cfg.Entities["acls"][0]["consumer"], map[string]any{"id": bobID}},
		{"credential consumer", cfg.Entities["keyauth_credentials"][0]["consumer"], map[string]any{"id": bobID}},
		{"target", findRow(cfg, "targets", "weight", int64(100))["id"], v5("targets", "targets:*:"+upID+":10.0.0.1:80")},
		{"target normalized", findRow(cfg, "targets", "weight", int64(5))["target"], "10.0.0.2:8000"},
		{"target upstream", cfg.Entities["targets"][0]["upstream"], map[string]any{"id": upID}},
		{"sni", byName(cfg, "snis", "example.com")["id"], v5("snis", "example.com")},
		{"sni certificate", byName(cfg, "snis", "*.example.org")["certificate"], map[string]any{"id": certID}},
		{"sni tags", byName(cfg, "snis", "example.com")["tags"], []any{"sni"}},
		{"format", []any{cfg.FormatVersion, cfg.Transform}, []any{"3.0", true}},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
	if _, ok := cfg.Entities["certificates"][0]["snis"]; ok {
		t.Error("certificate rows keep the transient snis field")
	}
	for _, random := range []any{findRow(cfg, "routes", "name", nil)["id"], certID, cfg.Entities["keyauth_credentials"][0]["id"]} {
		if u := uuid.MustParse(random.(string)); u.Version() != 4 {
			t.Errorf("id %s: version %d, want a random (v4) id", random, u.Version())
		}
	}
}

func byName(cfg *Config, entity, name string) map[string]any {
	return findRow(cfg, entity, "name", name)
}

func findRow(cfg *Config, entity, field string, value any) map[string]any {
	for _, r := range cfg.Entities[entity] {
		if schema.Equal(r[field], value) {
			return r
		}
	}
	return nil
}

func pluginRow(cfg *Config, name, route, service, consumer string) map[string]any {
	ref := func(id string) any {
		if id == "" {
			return nil
		}
		return map[string]any{"id": id}
	}
	for _, r := range cfg.Entities["plugins"] {
		if r["name"] == name && schema.Equal(r["route"], ref(route)) && schema.Equal(r["service"], ref(service)) &&
			schema.Equal(r["consumer"], ref(consumer)) {
			return r
		}
	}
	return nil
}

// ignoreTimes leaves out what differs between two parses of one document.
var ignoreTimes = cmpopts.IgnoreMapEntries(func(k string, _ any) bool { return k == "created_at" || k == "updated_at" })

// TestParseShapes parses documents that declare the same entities in
// different shapes and compares what they declare.
func TestParseShapes(t *testing.T) {
	t.Parallel()
	nested := `_format_version: "3.0"
services:
- name: svc
  host: example.com
  routes:
  - name: r1
    hosts: [a.example.com]
consumers:
- username: bob
  acls:
  - group: admins
upstreams:
- name: up
  targets:
  - target: 10.0.0.1:80
`
	// Ids from cache keys depend on the shape: a nested entity's key has
	// its parent's id, a top-level one the reference as written.
	nestedIDs := map[string]string{
		"acls":    v5("acls", "acls:*:"+v5("consumers", "bob")+":admins"),
		"targets": v5("targets", "targets:*:"+v5("upstreams", "up")+":10.0.0.1:80"),
	}
	tests := []struct {
		name, doc string
		ids       map[string]string
	}{
		{"flat with names", `_format_version: "3.0"
routes:
- name: r1
  hosts: [a.example.com]
  service: svc
services:
- name: svc
  host: example.com
acls:
- group: admins
  consumer: bob
consumers:
- username: bob
targets:
- target: 10.0.0.1:80
  upstream: up
upstreams:
- name: up
`, map[string]string{
			"acls":    v5("acls", "acls:*:bob:admins"),
			"targets": v5("targets", "targets:*:up:10.0.0.1:80"),
		}},
		{"flat with ids", fmt.Sprintf(`_format_version: "3.0"
services:
- name: svc
  host: example.com
routes:
- name: r1
  hosts: [a.example.com]
  service: %s
consumers:
- username: bob
acls:
- group: admins
  consumer: {id: %s}
upstreams:
- name: up
targets:
- target: 10.0.0.1:80
  upstream: %s
`, v5("services", "svc"), v5("consumers", "bob"), v5("upstreams", "up")), map[string]string{
			"acls":    v5("acls", "acls:*:admins"), // an {id: …} reference adds no part
			"targets": nestedIDs["targets"],
		}},
		{"json", `{"_format_version": "3.0",
 "services": [{"name": "svc", "host": "example.com", "routes": [{"name": "r1", "hosts": ["a.example.com"]}]}],
 "consumers": [{"username": "bob", "acls": [{"group": "admins"}]}],
 "upstreams": [{"name": "up", "targets": [{"target": "10.0.0.1:80"}]}]}`, nestedIDs},
		{"yaml anchors and merge keys", `_format_version: "3.0"
_ignore:
- &svc {host: example.com}
services:
- <<: *svc
  name: svc
  routes:
  - name: r1
    hosts: [a.example.com]
consumers:
- username: bob
  acls:
  - group: admins
upstreams:
- name: up
  targets:
  - target: 10.0.0.1:80
`, nestedIDs},
	}
	want := cacheKeyIDs(t, mustParse(t, nested), nestedIDs)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := cacheKeyIDs(t, mustParse(t, tt.doc), tt.ids)
			if diff := cmp.Diff(want, got, ignoreTimes); diff != "" {
				t.Errorf("entities (-nested +%s):\n%s", tt.name, diff)
			}
		})
	}
}

// cacheKeyIDs checks the ids of the single acl and target and returns
// the entities without them.
func cacheKeyIDs(t *testing.T, cfg *Config, ids map[string]string) map[string][]map[string]any {
	t.Helper()
	for entity, want := range ids {
		row := cfg.Entities[entity][0]
		if row["id"] != want {
			t.Errorf("%s id = %v, want %s", entity, row["id"], want)
		}
		delete(row, "id")
	}
	return cfg.Entities
}

func TestParseAnchors(t *testing.T) {
	t.Parallel()
	// Kong's #7620: the same plugin objects reused through anchors.
	cfg := mustParse(t, `_format_version: "1.1"
services:
- name: service1
  url: http://example.com
  plugins:
  - &rl
    name: rate-limiting
    config: &rlconf
      second: 5
  routes:
  - name: foo
    paths: [/foo]
- name: service2
  url: http://example.com
  plugins:
  - *rl
  - name: key-auth
    config:
      <<: {key_names: [token]}
  routes:
  - name: bar
    paths: [/bar]
`)
	if n := len(cfg.Entities["plugins"]); n != 3 {
		t.Fatalf("plugins = %d, want 3", n)
	}
	if got := pluginRow(cfg, "key-auth", "", v5("services", "service2"), "")["config"]; !schema.Equal(got,
		map[string]any{"key_names": []any{"token"}, "hide_credentials": false}) {
		t.Errorf("merged config = %v", got)
	}
}

func TestParseFormatVersions(t *testing.T) {
	t.Parallel()
	doc := `_format_version: "%s"
services:
- name: s
  host: example.com
  routes:
  - name: r
    paths:
    - /plain
    - /a%%2Fb%%41
    - /x/./y/../z
    - /users/\d+
    - /b%%2E.c
routes:
- name: top
  paths:
  - /v1/(?<version>\w+)
`
	tests := []struct {
		version string
		want    []any
		top     []any
	}{
		{"1.1", []any{"/plain", "/a%2FbA", "/x/z", `~/users/\d+`, "/b..c"}, []any{`~/v1/(?<version>\w+)`}},
		{"2.1", []any{"/plain", "/a%2FbA", "/x/z", `~/users/\d+`, "/b..c"}, []any{`~/v1/(?<version>\w+)`}},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			t.Parallel()
			cfg := mustParse(t, fmt.Sprintf(doc, tt.version))
			if diff := cmp.Diff(tt.want, byName(cfg, "routes", "r")["paths"]); diff != "" {
				t.Errorf("nested paths (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.top, byName(cfg, "routes", "top")["paths"]); diff != "" {
				t.Errorf("top-level paths (-want +got):\n%s", diff)
			}
			if cfg.FormatVersion != tt.version {
				t.Errorf("FormatVersion = %q", cfg.FormatVersion)
			}
		})
	}
	// 3.0 paths are taken as written: these are not valid 3.0 paths.
	err := mustFail(t, fmt.Sprintf(doc, "3.0"))
	if _, ok := err.Fields()["services"]; !ok {
		t.Errorf("3.0 file with 1.1 paths accepted: %v", err)
	}
}

func TestMigratePath(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"/", "/"},
		{"", ""},
		{"/foo/bar", "/foo/bar"},
		{"/foo//bar", "/foo/bar"},
		{"/a/../../b", "/b"},
		{"/%7euser", "/~user"},
		{"/%2f%3A", "/%2F%3A"},
		{"/price$", `~/price$`},
		{"/a%2e%2Fb%7c", "/a.%2Fb|"},
		{"/a%2e(b)%7c%2f", `~/a\.(b)\|%2F`},
		{"/caf%C3%A9(x)", "~/caf\xc3\xa9(x)"},
	}
	for _, tt := range tests {
		if got := migratePath(tt.in); got != tt.want {
			t.Errorf("migratePath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseTransform(t *testing.T) {
	t.Parallel()
	doc := `_format_version: "3.0"
_transform: %s
upstreams:
- name: up
  targets:
  - target: 10.0.0.1
`
	tests := []struct{ transform, want string }{
		{"true", "10.0.0.1:8000"},
		{"false", "10.0.0.1"},
	}
	for _, tt := range tests {
		cfg := mustParse(t, fmt.Sprintf(doc, tt.transform))
		if got := cfg.Entities["targets"][0]["target"]; got != tt.want {
			t.Errorf("_transform %s: target %v, want %s", tt.transform, got, tt.want)
		}
		if cfg.Transform != (tt.transform == "true") {
			t.Errorf("_transform %s: Transform = %v", tt.transform, cfg.Transform)
		}
	}
}

func TestParseYAMLScalars(t *testing.T) {
	t.Parallel()
	cfg := mustParse(t, `_format_version: "3.0"
services:
- name: s
  host: example.com
  enabled: off
  tls_verify: yes
  protocol: https
  retries: 0x0a
  tags: [2024-01-02, "yes"]
`)
	s := cfg.Entities["services"][0]
	got := []any{s["enabled"], s["tls_verify"], s["retries"], s["tags"]}
	want := []any{false, true, int64(10), []any{"2024-01-02", "yes"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scalars (-want +got):\n%s", diff)
	}
}

func TestParseValue(t *testing.T) {
	t.Parallel()
	text := `{"_format_version":"3.0","services":[{"name":"s","host":"example.com","port":8080}]}`
	var doc map[string]any
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseValue(testCatalog(), doc)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Entities["services"][0]["port"]; got != int64(8080) {
		t.Errorf("port = %#v", got)
	}
	canonical, _ := json.Marshal(doc)
	sum := md5.Sum(canonical)
	if want := hex.EncodeToString(sum[:]); cfg.Hash != want {
		t.Errorf("hash = %s, want %s", cfg.Hash, want)
	}
	if _, ok := doc["services"].([]any)[0].(map[string]any)["id"]; ok {
		t.Error("ParseValue modified its input")
	}
	if _, err := ParseValue(testCatalog(), nil); err == nil {
		t.Error("ParseValue(nil) succeeded")
	}
}

func TestHash(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, text, want string }{
		{"raw text", "_format_version: \"3.0\"\nconsumers:\n- username: a\n", ""},
		{"same content, other text", "_format_version: '3.0'\nconsumers: [{username: a}]\n", ""},
		{"no entities", "_format_version: \"3.0\"\n", EmptyHash},
		{"empty lists", "_format_version: \"3.0\"\nservices: []\nroutes:\n", EmptyHash},
	}
	for _, tt := range tests {
		cfg := mustParse(t, tt.text)
		want := tt.want
		if want == "" {
			sum := md5.Sum([]byte(tt.text))
			want = hex.EncodeToString(sum[:])
		}
		if cfg.Hash != want {
			t.Errorf("%s: hash %s, want %s", tt.name, cfg.Hash, want)
		}
	}
}

// TestKnownIDs checks ids that Kong computed (they appear in Kong's own
// tests, spec/02-integration/04-admin_api/15-off_spec.lua).
func TestKnownIDs(t *testing.T) {
	t.Parallel()
	cfg := mustParse(t, `_format_version: "3.0"
services:
- name: httproute.default.httproute-testing.0
  host: example.com
  routes:
  - name: httproute.default.httproute-testing.0.0
    paths: [/]
consumers:
- username: 774f8446-6427-43f9-9962-ce7ab8097fe4
- username: test-consumer-1
`)
	got := []any{cfg.Entities["services"][0]["id"], cfg.Entities["routes"][0]["id"],
		cfg.Entities["consumers"][0]["id"], cfg.Entities["consumers"][1]["id"]}
	want := []any{"4e3cb785-a8d0-5866-aa05-117f7c64f24d", "073fc413-1c03-50b4-8f44-43367c13daba",
		"68d5de9f-2211-5ed8-b827-22f57a492d0f", "a73dc9a7-93df-584d-97c0-7f41a1bbce3d"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ids (-kong +got):\n%s", diff)
	}
}

func TestIDs(t *testing.T) {
	t.Parallel()
	cfg := mustParse(t, `_format_version: "3.0"
services:
- host: unnamed.example.com
  plugins:
  - name: key-auth
- name: named
  id: 3f3c4d2e-0000-4000-8000-000000000001
  host: example.com
  plugins:
  - name: key-auth
- name: explicit-null
  id: null
  host: example.com
`)
	named := byName(cfg, "services", "named")
	if named["id"] != "3f3c4d2e-0000-4000-8000-000000000001" {
		t.Errorf("given id not kept: %v", named["id"])
	}
	if id := pluginRow(cfg, "key-auth", "", named["id"].(string), "")["id"]; id != v5("plugins", "plugins:*:key-auth::3f3c4d2e-0000-4000-8000-000000000001:") {
		t.Errorf("plugin of a service with a given id: %v", id)
	}
	unnamed := findRow(cfg, "services", "name", nil)
	for what, id := range map[string]any{
		"unnamed service":              unnamed["id"],
		"plugin of an unnamed service": pluginRow(cfg, "key-auth", "", unnamed["id"].(string), "")["id"],
		"explicit null id (Kong: v4)":  byName(cfg, "services", "explicit-null")["id"],
	} {
		if u := uuid.MustParse(id.(string)); u.Version() != 4 {
			t.Errorf("%s: id %s is not random", what, id)
		}
	}
}

func TestDuplicateNestedPrimaryKey(t *testing.T) {
	t.Parallel()
	err := mustFail(t, `_format_version: "3.0"
upstreams:
- name: u0
- name: u1
  targets:
  - target: 10.0.0.1:80
    tags: [first]
  - target: 10.0.0.1:80
    tags: [second]
`)
	id := v5("targets", "targets:*:"+v5("upstreams", "u1")+":10.0.0.1:80")
	msg := "uniqueness violation: 'targets' entity with primary key set to '" + id + "' already declared"
	if got, want := err.Error(), messagePrefix+`{upstreams={[2]={targets={[2]="`+msg+`"}}}}`; got != want {
		t.Errorf("message:\n got %s\nwant %s", got, want)
	}
	want := []FlattenedError{{
		EntityType: "target", EntityID: "", EntityTags: []string{"second"},
		Entity: map[string]any{"target": "10.0.0.1:80", "tags": []any{"second"}},
		Errors: []EntityError{{Type: "entity", Message: msg}},
	}}
	if diff := cmp.Diff(want, err.FlattenedErrors()); diff != "" {
		t.Errorf("flattened (-want +got):\n%s", diff)
	}
}

func TestDuplicateCacheKey(t *testing.T) {
	t.Parallel()
	err := mustFail(t, `_format_version: "3.0"
services:
- name: s
  host: example.com
  plugins:
  - id: 6b9f3f0e-8f8f-4c83-9c59-0d5c3a000001
    name: key-auth
  - id: 6b9f3f0e-8f8f-4c83-9c59-0d5c3a000002
    name: key-auth
`)
	want := messagePrefix + `{plugins={["6b9f3f0e-8f8f-4c83-9c59-0d5c3a000002"]="uniqueness violation: 'plugins' entity with cache_key set to ` +
		`'plugins:key-auth::` + v5("services", "s") + ":::' already declared\"}}"
	if got := err.Error(); got != want {
		t.Errorf("message:\n got %s\nwant %s", got, want)
	}
}

func TestNestedForeignKeyIgnoredWhenValid(t *testing.T) {
	t.Parallel()
	// Kong accepts a nested foreign key naming a declared entity when the
	// file is otherwise valid, and uses the parent.
	cfg := mustParse(t, `_format_version: "3.0"
consumers:
- username: other
- username: bob
  acls:
  - group: g
    consumer: other
`)
	if got := cfg.Entities["acls"][0]["consumer"]; !schema.Equal(got, map[string]any{"id": v5("consumers", "bob")}) {
		t.Errorf("acl consumer = %v, want bob", got)
	}
}

func TestExampleConfig(t *testing.T) {
	t.Parallel()
	cfg := mustParse(t, ExampleConfig)
	if len(cfg.Entities["services"]) != 1 || len(cfg.Entities["routes"]) != 1 || len(cfg.Entities["consumers"]) != 1 {
		t.Errorf("example declares %v", cfg.Entities)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(ExampleConfig), &doc); err != nil {
		t.Fatal(err)
	}
}
