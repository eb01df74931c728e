package admin_test

import (
	"testing"
)

func TestNestedEndpoints(t *testing.T) {
	e := newEnv(t)
	s1 := e.must(201, "POST", "/services", map[string]any{"name": "s1", "host": "one.com"})
	s2 := e.must(201, "POST", "/services", map[string]any{"name": "s2", "host": "two.com"})
	s1id := s1["id"].(string)

	// Nested POST sets the foreign key from the path, whatever the body says.
	r1 := e.must(201, "POST", "/services/s1/routes", map[string]any{"name": "r1", "paths": []string{"/a"}})
	if r1["service"].(map[string]any)["id"] != s1id {
		t.Fatalf("r1.service = %v", r1["service"])
	}
	r2 := e.must(201, "POST", "/services/"+s1id+"/routes",
		map[string]any{"name": "r2", "paths": []string{"/b"}, "service": map[string]any{"id": s2["id"]}})
	if r2["service"].(map[string]any)["id"] != s1id {
		t.Fatalf("r2.service = %v", r2["service"])
	}
	other := e.must(201, "POST", "/services/s2/routes", map[string]any{"name": "other", "paths": []string{"/c"}})

	list := e.must(200, "GET", "/services/s1/routes?size=1", nil)
	if len(list["data"].([]any)) != 1 {
		t.Fatalf("list = %v", list)
	}
	if want := "/services/s1/routes?offset=" + escape(list["offset"].(string)); list["next"] != want {
		t.Errorf("next = %v, want %v", list["next"], want)
	}
	all := e.must(200, "GET", "/services/s1/routes?tags=whatever", nil)
	if len(all["data"].([]any)) != 2 {
		t.Errorf("nested lists ignore tags; got %v", all)
	}

	tests := []struct {
		name         string
		method, path string
		body         any
		status       int
		want         any
	}{
		{"get child", "GET", "/services/s1/routes/r1", nil, 200, r1},
		{"get child by id", "GET", "/services/s1/routes/" + r1["id"].(string), nil, 200, r1},
		{"child of another parent", "GET", "/services/s1/routes/other", nil, 404, `{"message":"Not found"}`},
		{"missing parent", "GET", "/services/nope/routes/r1", nil, 404, `{"message":"Not found"}`},
		{"missing parent list", "GET", "/services/nope/routes", nil, 404, `{"message":"Not found"}`},
		{"missing parent post", "POST", "/services/nope/routes", map[string]any{"paths": []string{"/"}}, 404, `{"message":"Not found"}`},
		{"invalid parent key", "GET", "/services/a%20b/routes", nil, 400,
			`{"code":10,"name":"invalid unique name","message":"invalid value 'a b': the only accepted ascii characters are alphanumerics or ., -, _, and ~"}`},
		{"delete child of another parent", "DELETE", "/services/s1/routes/other", nil, 404, `{"message":"Not found"}`},
		{"delete missing child", "DELETE", "/services/s1/routes/nope", nil, 404, `{"message":"Not found"}`},
		{"patch child of another parent", "PATCH", "/services/s1/routes/other", map[string]any{"paths": []string{"/x"}}, 404, `{"message":"Not found"}`},
		{"foreign entity", "GET", "/routes/r1/service", nil, 200, s1},
		{"foreign entity delete", "DELETE", "/routes/r1/service", nil, 405, `{"message":"Method not allowed"}`},
		{"foreign entity of missing", "GET", "/routes/nope/service", nil, 404, `{"message":"Not found"}`},
		{"foreign entity null", "GET", "/services/s1/client_certificate", nil, 404, `{"message":"Not found"}`},
		{"foreign entity null delete", "DELETE", "/services/s1/client_certificate", nil, 404, `{"message":"Not found"}`},
		{"foreign entity null patch", "PATCH", "/services/s1/client_certificate", map[string]any{}, 404, `{"message":"Not found"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, e.req(tt.method, tt.path, tt.body), tt.status, tt.want)
		})
	}

	// Nested PUT forces the foreign key, creating or replacing.
	put := e.must(200, "PUT", "/services/s1/routes/r3", map[string]any{"paths": []string{"/d"}, "service": map[string]any{"id": s2["id"]}})
	if put["service"].(map[string]any)["id"] != s1id || put["name"] != "r3" {
		t.Errorf("nested PUT = %v", put)
	}
	// Nested PATCH keeps the parent unless the body moves the child.
	patched := e.must(200, "PATCH", "/services/s1/routes/r3", map[string]any{"paths": []string{"/e"}})
	if patched["service"].(map[string]any)["id"] != s1id {
		t.Errorf("nested PATCH = %v", patched)
	}
	moved := e.must(200, "PATCH", "/services/s1/routes/r3", map[string]any{"service": map[string]any{"name": "s2"}})
	if moved["service"].(map[string]any)["id"] != s2["id"] {
		t.Errorf("moved = %v", moved)
	}
	check(t, e.req("DELETE", "/services/s2/routes/r3", nil), 204, nil)
	check(t, e.req("GET", "/routes/r3", nil), 404, `{"message":"Not found"}`)
	_ = other

	// Foreign entity PATCH and PUT update the referenced service.
	svc := e.must(200, "PATCH", "/routes/r1/service", map[string]any{"port": 8080})
	if svc["id"] != s1id || svc["port"] != 8080.0 {
		t.Errorf("PATCH /routes/r1/service = %v", svc)
	}
	svc = e.must(200, "PUT", "/routes/r1/service", map[string]any{"host": "new.com", "name": "s1"})
	if svc["id"] != s1id || svc["host"] != "new.com" || svc["port"] != 80.0 {
		t.Errorf("PUT /routes/r1/service = %v", svc)
	}
	// PUT on a null foreign key creates the entity and links it.
	loose := e.must(201, "POST", "/routes", map[string]any{"name": "loose", "paths": []string{"/l"}})
	created := e.must(200, "PUT", "/routes/loose/service", map[string]any{"host": "linked.com"})
	linked := e.must(200, "GET", "/routes/loose", nil)
	if linked["service"].(map[string]any)["id"] != created["id"] || loose["service"] != nil {
		t.Errorf("PUT on null foreign key: route %v, service %v", linked, created)
	}
}

func TestPluginScopes(t *testing.T) {
	e := newEnv(t)
	e.must(201, "POST", "/services", map[string]any{"name": "s", "host": "x.com"})
	e.must(201, "POST", "/routes", map[string]any{"name": "r", "paths": []string{"/"}})
	e.must(201, "POST", "/consumers", map[string]any{"username": "c"})
	sp := e.must(201, "POST", "/services/s/plugins", map[string]any{"name": "test-plugin", "instance_name": "sp"})
	rp := e.must(201, "POST", "/routes/r/plugins", map[string]any{"name": "test-plugin"})
	cp := e.must(201, "POST", "/consumers/c/plugins", map[string]any{"name": "test-plugin"})
	if sp["service"] == nil || rp["route"] == nil || cp["consumer"] == nil {
		t.Fatalf("scopes: %v %v %v", sp, rp, cp)
	}
	wantConfig := map[string]any{"minute": nil, "ratio": nil, "policy": "local", "flag": false, "list": nil,
		"headers": nil, "nested": map[string]any{"count": 1}}
	check(t, &resp{status: 200, body: sp["config"]}, 200, wantConfig)
	check(t, e.req("POST", "/services/s/plugins", map[string]any{"name": "test-plugin"}), 409, `{"code":5,"name":"unique constraint violation","message":"UNIQUE violation detected on '{consumer=null,name=\"test-plugin\",route=null,service={id=\"`+sp["service"].(map[string]any)["id"].(string)+`\"}}'","fields":{"consumer":null,"name":"test-plugin","route":null,"service":{"id":"`+sp["service"].(map[string]any)["id"].(string)+`"}}}`)
	check(t, e.req("GET", "/plugins/sp", nil), 200, sp)
	check(t, e.req("GET", "/services/s/plugins/sp", nil), 200, sp)
	check(t, e.req("GET", "/plugins/sp/service", nil), 200, skip)
	check(t, e.req("GET", "/plugins/sp/route", nil), 404, `{"message":"Not found"}`)

	// A form PATCH that does not name the plugin infers config from the stored name.
	r := e.form("PATCH", "/plugins/sp", "config.minute=7&config.flag=true&config.list=a&config.headers.x=3")
	check(t, r, 200, skip)
	cfg := r.obj()["config"].(map[string]any)
	if cfg["minute"] != 7.0 || cfg["flag"] != true || len(cfg["list"].([]any)) != 1 || cfg["headers"].(map[string]any)["x"] != 3.0 {
		t.Errorf("config = %v", cfg)
	}
	if cfg["policy"] != "local" {
		t.Errorf("PATCH lost config defaults: %v", cfg)
	}
	e.must(200, "PATCH", "/services/s/plugins/sp", map[string]any{"enabled": false})
	check(t, e.req("DELETE", "/consumers/c/plugins/"+sp["id"].(string), nil), 404, `{"message":"Not found"}`)
	check(t, e.req("DELETE", "/services/s", nil), 204, nil) // plugins cascade
	check(t, e.req("GET", "/plugins/sp", nil), 404, `{"message":"Not found"}`)
	check(t, e.req("DELETE", "/consumers/c", nil), 204, nil)
	check(t, e.req("GET", "/plugins/"+cp["id"].(string), nil), 404, `{"message":"Not found"}`)
}
