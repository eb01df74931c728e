package admin_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net/url"
	"sync"
	"testing"

	"github.com/silverback-gw/silverback/internal/admin"
)

// fakeDeclarative records /config requests and answers as told.
type fakeDeclarative struct {
	mu     sync.Mutex
	hash   string
	inputs []admin.ConfigInput
	err    error
}

func (f *fakeDeclarative) Load(_ context.Context, in admin.ConfigInput) (map[string]any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inputs = append(f.inputs, in)
	if f.err != nil {
		return nil, f.err
	}
	f.hash = in.Hash
	return map[string]any{"services": map[string]any{"id1": map[string]any{"id": "id1", "name": "s"}}}, nil
}

func (f *fakeDeclarative) Export(context.Context) ([]byte, error) {
	return []byte("_format_version: \"3.0\"\n_transform: false\n"), nil
}

func (f *fakeDeclarative) Hash() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hash
}

func (f *fakeDeclarative) last() admin.ConfigInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inputs[len(f.inputs)-1]
}

func TestDBLessWrites(t *testing.T) {
	decl := &fakeDeclarative{}
	e := newEnv(t, func(o *admin.Options) {
		o.DBLess, o.Declarative, o.Node.Database = true, decl, "off"
	})
	// DB-less reads work from the store the declarative loader fills.
	ctx := context.Background()
	var svcID string
	if err := e.db.Update(ctx, func(tx *txn) error {
		r, err := tx.Insert(ctx, "services", map[string]any{"name": "s", "host": "x.com"})
		if err == nil {
			svcID = r["id"].(string)
			_, err = tx.Insert(ctx, "routes", map[string]any{"name": "r", "paths": []any{"/"}, "service": map[string]any{"id": svcID}})
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	unsupported := func(msg string) string {
		return `{"code":12,"name":"operation unsupported","message":"` + msg + `"}`
	}
	missing := "9b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	tests := []struct {
		name         string
		method, path string
		body         any
		status       int
		want         any
	}{
		{"read", "GET", "/services/s", nil, 200, skip},
		{"list", "GET", "/services/s/routes", nil, 200, skip},
		{"create", "POST", "/services", map[string]any{"host": "y.com"}, 405,
			unsupported("cannot create 'services' entities when not using a database")},
		{"create validates first", "POST", "/services", map[string]any{}, 400,
			`{"code":2,"name":"schema violation","message":"schema violation (host: required field missing)","fields":{"host":"required field missing"}}`},
		{"nested create", "POST", "/services/s/routes", map[string]any{"paths": []string{"/x"}}, 405,
			unsupported("cannot create 'routes' entities when not using a database")},
		{"upsert by id", "PUT", "/services/" + svcID, map[string]any{"host": "y.com"}, 405,
			unsupported("cannot create or update 'services' entities when not using a database")},
		{"upsert by name", "PUT", "/services/new", map[string]any{"host": "y.com"}, 405,
			unsupported("cannot create or update 'services' entities by 'name' when not using a database")},
		{"update by id", "PATCH", "/services/" + svcID, map[string]any{"port": 1}, 405,
			unsupported("cannot update 'services' entities when not using a database")},
		{"update by name", "PATCH", "/services/s", map[string]any{"port": 1}, 405,
			unsupported("cannot update 'services' entities by 'name' when not using a database")},
		{"update validates first", "PATCH", "/services/s", map[string]any{"port": -1}, 400,
			`{"code":2,"name":"schema violation","message":"schema violation (port: value should be between 0 and 65535)","fields":{"port":"value should be between 0 and 65535"}}`},
		{"update missing", "PATCH", "/services/nope", map[string]any{"port": 1}, 404,
			`{"code":6,"name":"not found","message":"could not find the entity with '{name=\"nope\"}'","fields":{"name":"nope"}}`},
		{"delete by name", "DELETE", "/routes/r", nil, 405,
			unsupported("cannot remove 'routes' entities by 'name' when not using a database")},
		{"delete by id", "DELETE", "/services/" + svcID, nil, 405,
			unsupported("cannot remove 'services' entities when not using a database")},
		{"delete missing", "DELETE", "/services/" + missing, nil, 204, nil},
		{"delete missing by name", "DELETE", "/services/nope", nil, 204, nil},
		{"nested delete", "DELETE", "/services/s/routes/r", nil, 405,
			unsupported("cannot remove 'routes' entities by 'name' when not using a database")},
		{"foreign entity update", "PATCH", "/routes/r/service", map[string]any{"port": 2}, 405,
			unsupported("cannot update 'services' entities when not using a database")},
		{"log level", "PUT", "/debug/node/log-level/debug", nil, 405,
			`{"message":"cannot change log level when not using a database"}`},
		{"status hash", "GET", "/status", nil, 200, skip},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, e.req(tt.method, tt.path, tt.body), tt.status, tt.want)
		})
	}
	st := e.must(200, "GET", "/status", nil)
	if st["configuration_hash"] != "00000000000000000000000000000000" {
		t.Errorf("hash = %v", st["configuration_hash"])
	}
	if _, has := st["database"]; has {
		t.Errorf("DB-less /status has database: %v", st)
	}
	root := e.must(200, "GET", "/", nil)
	if root["configuration"].(map[string]any)["database"] != "off" {
		t.Errorf("database = %v", root["configuration"])
	}
}

func TestConfigEndpoint(t *testing.T) {
	decl := &fakeDeclarative{}
	e := newEnv(t, func(o *admin.Options) { o.DBLess, o.Declarative = true, decl })
	yaml := "_format_version: \"3.0\"\nservices:\n- name: s\n  host: x.com\n"
	sum := md5.Sum([]byte(yaml))
	yamlHash := hex.EncodeToString(sum[:])
	created := `{"services":{"id1":{"id":"id1","name":"s"}}}`

	check(t, e.req("GET", "/config", nil), 200, `{"config":"_format_version: \"3.0\"\n_transform: false\n"}`)

	check(t, e.req("POST", "/config", yaml, "Content-Type", "application/yaml"), 201, created)
	if in := decl.last(); string(in.Text) != yaml || in.Hash != yamlHash || in.Doc != nil || in.FlattenErrors {
		t.Errorf("raw yaml input = %+v", in)
	}
	check(t, e.req("POST", "/config?check_hash=1", yaml, "Content-Type", "text/yaml"), 304, nil)
	check(t, e.req("POST", "/config?check_hash=0", yaml, "Content-Type", "text/yaml"), 201, created)

	doc := map[string]any{"_format_version": "3.0", "services": []any{map[string]any{"name": "s", "host": "x.com"}}, "flatten_errors": true}
	check(t, e.req("POST", "/config", doc), 201, created)
	if in := decl.last(); in.Text != nil || in.Doc["_format_version"] != "3.0" || !in.FlattenErrors || in.Doc["flatten_errors"] != nil {
		t.Errorf("json doc input = %+v", in)
	}
	check(t, e.req("POST", "/config", map[string]any{"config": yaml}), 201, created)
	if in := decl.last(); string(in.Text) != yaml {
		t.Errorf("json config field = %+v", in)
	}
	check(t, e.form("POST", "/config?flatten_errors=yes", "config="+url.QueryEscape(yaml)), 201, created)
	if in := decl.last(); string(in.Text) != yaml || !in.FlattenErrors {
		t.Errorf("form config field = %+v", in)
	}
	check(t, e.req("POST", "/config", `{"services":[]}`, "Content-Type", "application/json"), 201, created)
	if in := decl.last(); string(in.Text) != `{"services":[]}` {
		t.Errorf("raw json input = %+v", in)
	}
	check(t, e.req("POST", "/config", nil), 400, `{"message":"expected a declarative configuration"}`)

	decl.err = &admin.ConfigError{
		Fields:    map[string]any{"services": []any{map[string]any{"host": "required field missing"}}},
		Message:   `declarative config is invalid: {services={{host="required field missing"}}}`,
		Flattened: []any{map[string]any{"entity_type": "service", "errors": []any{}}},
	}
	check(t, e.req("POST", "/config", yaml, "Content-Type", "application/yaml"), 400,
		`{"code":14,"name":"invalid declarative configuration","message":"declarative config is invalid: {services={{host=\"required field missing\"}}}","fields":{"services":[{"host":"required field missing"}]},"flattened_errors":[{"entity_type":"service","errors":[]}]}`)
	for err, want := range map[error]string{
		admin.ErrConfigBusy:     `{"message":"Currently loading previous configuration"}`,
		admin.ErrConfigTimeout:  `{"message":"Timed out while loading configuration"}`,
		admin.ErrConfigExiting:  `{"message":"Kong currently exiting"}`,
		admin.ErrConfigTooLarge: `{"message":"Configuration does not fit in LMDB database, consider raising the \"lmdb_map_size\" config for Kong"}`,
		errors.New("disk"):      `{"message":"An unexpected error occurred"}`,
	} {
		decl.err = err
		r := e.req("POST", "/config", yaml, "Content-Type", "application/yaml")
		status := map[error]int{admin.ErrConfigBusy: 429, admin.ErrConfigTimeout: 504, admin.ErrConfigExiting: 503,
			admin.ErrConfigTooLarge: 413}[err]
		if status == 0 {
			status = 500
		}
		check(t, r, status, want)
		if err == admin.ErrConfigBusy && r.header.Get("Retry-After") == "" {
			t.Errorf("no Retry-After")
		}
	}
}

func TestConfigInDBMode(t *testing.T) {
	e := newEnv(t)
	msg := `{"message":"this endpoint is only available when Kong is configured to not use a database"}`
	check(t, e.req("GET", "/config", nil), 400, msg)
	check(t, e.req("POST", "/config", map[string]any{"_format_version": "3.0"}), 400, msg)
	if e.must(200, "GET", "/status", nil)["database"].(map[string]any)["reachable"] != true {
		t.Errorf("database not reachable")
	}
}
