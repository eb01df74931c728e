package declarative

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func jsonValue(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad want JSON %s: %v", s, err)
	}
	return v
}

// roundJSON passes v through encoding/json so that it compares with jsonValue.
func roundJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestErrorMessages pins Kong's code-14 messages and fields, most of them
// from spec/02-integration/04-admin_api/15-off_spec.lua and
// spec/01-unit/01-db/01-schema/11-declarative_config/03-flatten_spec.lua.
func TestErrorMessages(t *testing.T) {
	tests := []struct {
		name, input string
		message     string // after "declarative config is invalid: "
		fields      string // JSON
	}{
		{
			name:    "not an object",
			input:   "bobby tables",
			message: `{error="failed parsing declarative configuration: expected an object"}`,
			fields:  `{"error":"failed parsing declarative configuration: expected an object"}`,
		},
		{
			name:    "empty text",
			input:   "",
			message: `{error="failed parsing declarative configuration: expected an object"}`,
			fields:  `{"error":"failed parsing declarative configuration: expected an object"}`,
		},
		{
			name: "schema errors of an entity",
			input: `_format_version: "1.1"
services:
- port: -12
`,
			message: `{services={{host="required field missing",port="value should be between 0 and 65535"}}}`,
			fields:  `{"services":[{"host":"required field missing","port":"value should be between 0 and 65535"}]}`,
		},
		{
			name: "duplicate primary key",
			input: `_format_version: "1.1"
services:
- id: 0855b320-0dd2-547d-891d-601e9b38647f
  name: foo
  host: example.com
  protocol: https
  routes:
  - name: foo
    methods: ["GET"]
    plugins:
    - name: key-auth
    - name: http-log
      config:
        http_endpoint: https://example.com
- id: 0855b320-0dd2-547d-891d-601e9b38647f
  name: bar
  host: example.test
  port: 3000
  routes:
  - name: bar
    paths:
    - /
    plugins:
    - name: key-auth
`,
			message: `{services={[2]="uniqueness violation: 'services' entity with primary key set to '0855b320-0dd2-547d-891d-601e9b38647f' already declared"}}`,
			fields:  `{"services":[null,"uniqueness violation: 'services' entity with primary key set to '0855b320-0dd2-547d-891d-601e9b38647f' already declared"]}`,
		},
		{
			name: "duplicate endpoint key",
			input: `_format_version: "1.1"
services:
- name: foo
  host: example.com
- name: foo
  host: example.test
`,
			message: `{services={[2]="uniqueness violation: 'services' entity with name set to 'foo' already declared"}}`,
			fields:  `{"services":[null,"uniqueness violation: 'services' entity with name set to 'foo' already declared"]}`,
		},
		{
			name: "duplicate unique field",
			input: `_format_version: "1.1"
consumers:
- username: foo
  custom_id: conflict
- username: bar
  custom_id: conflict
`,
			message: `{consumers={bar="uniqueness violation: 'consumers' entity with custom_id set to 'conflict' already declared"}}`,
			fields:  `{"consumers":{"bar":"uniqueness violation: 'consumers' entity with custom_id set to 'conflict' already declared"}}`,
		},
		{
			name: "missing references",
			input: `_format_version: "3.0"
plugins:
- name: http-log
  instance_name: logger
  service: svc1
  consumer: my-consumer
  config:
    http_endpoint: https://example.com
`,
			message: `{plugins={logger={"invalid reference 'consumer: my-consumer' (no such entry in 'consumers')","invalid reference 'service: svc1' (no such entry in 'services')"}}}`,
			fields: `{"plugins":{"logger":["invalid reference 'consumer: my-consumer' (no such entry in 'consumers')",` +
				`"invalid reference 'service: svc1' (no such entry in 'services')"]}}`,
		},
		{
			name: "nested foreign key by an undeclared id (#7696)",
			input: `_format_version: "2.1"
services:
- name: my-service-1
  url: http://localhost:8001/status
  routes:
  - name: my-route-1
    service:
      id: "769bdf51-16df-5476-9830-ef26800b5448"
    paths:
    - /status
`,
			message: `{routes={["my-route-1"]={"invalid reference 'service: {\"id\":\"769bdf51-16df-5476-9830-ef26800b5448\"}' (no such entry in 'services')"}}}`,
			fields:  `{"routes":{"my-route-1":["invalid reference 'service: {\"id\":\"769bdf51-16df-5476-9830-ef26800b5448\"}' (no such entry in 'services')"]}}`,
		},
		{
			name: "nested foreign key must be null when the file is invalid",
			input: `_format_version: "3.0"
consumers:
- username: consumer
  keyauth_credentials:
  - key: secret
    consumer: incorrect
    tags: 12
`,
			message: `{consumers={{keyauth_credentials={{consumer="value must be null",tags="expected a set"}}}}}`,
			fields:  `{"consumers":[{"keyauth_credentials":[{"consumer":"value must be null","tags":"expected a set"}]}]}`,
		},
		{
			name: "unresolved top-level reference when the file is invalid (#5750)",
			input: `_format_version: "3.0"
services:
- name: svc
routes:
- name: r
  paths: [/]
  service: does-not-exist
`,
			message: `{routes={{service={id="missing primary key"}}},services={{host="required field missing"}}}`,
			fields:  `{"routes":[{"service":{"id":"missing primary key"}}],"services":[{"host":"required field missing"}]}`,
		},
		{
			name:    "format version",
			input:   "_format_version: 3.0\n",
			message: `{_format_version="expected a string"}`,
			fields:  `{"_format_version":"expected a string"}`,
		},
		{
			name:    "format version value",
			input:   "_format_version: \"4.0\"\n",
			message: `{_format_version="expected one of: 1.1, 2.1, 3.0"}`,
			fields:  `{"_format_version":"expected one of: 1.1, 2.1, 3.0"}`,
		},
		{
			name:    "format version missing, unknown keys",
			input:   "tags: [a]\n_workspace: default\nconsumer_groups: []\n_transform: 1\n",
			message: `{_format_version="required field missing",_transform="expected a boolean",_workspace="unknown field",consumer_groups="unknown field",tags="unknown field"}`,
			fields: `{"_format_version":"required field missing","_transform":"expected a boolean","_workspace":"unknown field",` +
				`"consumer_groups":"unknown field","tags":"unknown field"}`,
		},
		{
			name: "extra attributes and unknown keys in entities",
			input: `_format_version: "3.0"
_comment: 5
_ignore: x
services:
- name: a
  host: example.com
  _comment: [1]
  _ignore: "no"
  _other: 1
  color: blue
`,
			message: `{_comment="expected a string",_ignore="expected an array",services={{_comment="expected a string",_ignore="expected an array",_other="unknown field",color="unknown field"}}}`,
			fields: `{"_comment":"expected a string","_ignore":"expected an array","services":[{"_comment":"expected a string",` +
				`"_ignore":"expected an array","_other":"unknown field","color":"unknown field"}]}`,
		},
		{
			name: "nested errors keyed by entry",
			input: `_format_version: "3.0"
services:
- name: ok
  host: example.com
- name: bad
  host: example.com
  routes:
  - name: fine
    paths: [/a]
  - name: broken
    paths: [a]
    plugins:
    - name: nope
`,
			message: `{services={[2]={routes={[2]={paths={"should start with: / (fixed path) or ~/ (regex path)"},plugins={{name="plugin 'nope' not enabled; add it to the 'plugins' configuration property"}}}}}}}`,
			fields: `{"services":[null,{"routes":[null,{"paths":["should start with: / (fixed path) or ~/ (regex path)"],` +
				`"plugins":[{"name":"plugin 'nope' not enabled; add it to the 'plugins' configuration property"}]}]}]}`,
		},
		{
			name: "valid nested entries leave no trace",
			input: `_format_version: "3.0"
services:
- name: a
  host: example.com
  routes:
  - paths: [/a]
    plugins:
    - name: key-auth
- name: b
`,
			message: `{services={[2]={host="required field missing"}}}`,
			fields:  `{"services":[null,{"host":"required field missing"}]}`,
		},
		{
			name: "entity checks",
			input: `_format_version: "3.0"
consumers:
- tags: [a]
services:
- name: s
  host: example.com
  protocol: tcp
  path: /p
`,
			message: `{consumers={{["@entity"]={"at least one of these fields must be non-empty: 'custom_id', 'username'"}}},services={{["@entity"]={"failed conditional validation given value of field 'protocol'"},path="value must be null"}}}`,
			fields: `{"consumers":[{"@entity":["at least one of these fields must be non-empty: 'custom_id', 'username'"]}],` +
				`"services":[{"@entity":["failed conditional validation given value of field 'protocol'"],"path":"value must be null"}]}`,
		},
		{
			name: "not arrays and not records",
			input: `_format_version: "3.0"
services: {name: x}
consumers: [a, null]
upstreams:
- name: u
  targets: t
`,
			message: `{consumers={"expected a record","required field missing"},services="expected an array",upstreams={{targets="expected an array"}}}`,
			fields:  `{"consumers":["expected a record","required field missing"],"services":"expected an array","upstreams":[{"targets":"expected an array"}]}`,
		},
		{
			name: "certificate snis are SNI objects",
			input: `_format_version: "3.0"
certificates:
- id: 2e9ce4c7-7c89-4b9a-9f3a-7e2d5f1a0001
  cert: x
  key: y
  snis: [example.com]
`,
			message: `{certificates={{cert="invalid certificate: PEM_read_bio_X509_AUX() failed",key="invalid key: PEM_read_bio_PrivateKey() failed",snis={"expected a record"}}}}`,
			fields:  `{"certificates":[{"cert":"invalid certificate: PEM_read_bio_X509_AUX() failed","key":"invalid key: PEM_read_bio_PrivateKey() failed","snis":["expected a record"]}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := mustFail(t, tt.input)
			if got, want := err.Error(), messagePrefix+tt.message; got != want {
				t.Errorf("message:\n got %s\nwant %s", got, want)
			}
			if tt.fields == "" {
				return
			}
			if diff := cmp.Diff(jsonValue(t, tt.fields), roundJSON(t, err.Fields())); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}
