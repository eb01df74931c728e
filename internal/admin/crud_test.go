package admin_test

import (
	"fmt"
	"strings"
	"testing"
)

// serviceDefaults is a service as Kong returns it, without id and timestamps.
func serviceDefaults(name, host string) map[string]any {
	return map[string]any{
		"name": name, "host": host, "port": 80, "protocol": "http", "path": nil, "retries": 5,
		"connect_timeout": 60000, "write_timeout": 60000, "read_timeout": 60000,
		"tags": nil, "client_certificate": nil, "tls_verify": nil, "tls_verify_depth": nil,
		"ca_certificates": nil, "enabled": true,
	}
}

func TestServiceLifecycle(t *testing.T) {
	e := newEnv(t)
	created := e.must(201, "POST", "/services", map[string]any{"name": "s1", "host": "example.com"})
	if !isUUID(created["id"]) {
		t.Fatalf("id = %v", created["id"])
	}
	if created["created_at"] != created["updated_at"] {
		t.Errorf("timestamps differ: %v", created)
	}
	check(t, e.req("GET", "/services/s1", nil), 200, created)
	check(t, e.req("GET", "/services/"+created["id"].(string), nil), 200, created)
	check(t, e.req("GET", "/services/"+strings.ToUpper(created["id"].(string)), nil), 200, created)

	patched := e.must(200, "PATCH", "/services/s1", map[string]any{"port": 8080, "tags": []string{"a", "b", "a"}})
	want := serviceDefaults("s1", "example.com")
	want["port"], want["tags"] = 8080, []any{"a", "b"}
	check(t, &resp{status: 200, body: strip(patched, "id", "created_at", "updated_at")}, 200, want)

	// PUT is a full replacement: unspecified fields go back to defaults.
	put := e.must(200, "PUT", "/services/s1", map[string]any{"host": "other.com"})
	if put["id"] != created["id"] {
		t.Errorf("PUT by name changed the id: %v", put["id"])
	}
	check(t, &resp{status: 200, body: strip(put, "id", "created_at", "updated_at")}, 200, serviceDefaults("s1", "other.com"))

	// PUT creates when absent, by name and by id.
	byName := e.must(200, "PUT", "/services/s2", map[string]any{"host": "two.com", "name": "ignored"})
	if byName["name"] != "s2" || !isUUID(byName["id"]) {
		t.Errorf("PUT /services/s2 = %v", byName)
	}
	id := "3f0c2a77-1b5e-4d7a-9a8f-0a1b2c3d4e5f"
	byID := e.must(200, "PUT", "/services/"+id, map[string]any{"host": "three.com"})
	if byID["id"] != id {
		t.Errorf("PUT by id = %v", byID["id"])
	}

	check(t, e.req("DELETE", "/services/s1", nil), 204, nil)
	check(t, e.req("DELETE", "/services/s1", nil), 204, nil)
	check(t, e.req("DELETE", "/services/"+id, nil), 204, nil)
	check(t, e.req("GET", "/services/s1", nil), 404, `{"message":"Not found"}`)
	list := e.must(200, "GET", "/services", nil)
	if data := list["data"].([]any); len(data) != 1 || list["next"] != nil {
		t.Errorf("list = %v", list)
	}
}

func TestEntityErrors(t *testing.T) {
	e := newEnv(t)
	svc := e.must(201, "POST", "/services", map[string]any{"name": "taken", "host": "example.com"})
	e.must(201, "POST", "/routes", map[string]any{"name": "r1", "paths": []string{"/"}, "service": map[string]any{"id": svc["id"]}})
	missing := "9b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	tests := []struct {
		name         string
		method, path string
		body         any
		status       int
		want         string
	}{
		{"required field", "POST", "/services", map[string]any{"name": "x"}, 400,
			`{"code":2,"name":"schema violation","message":"schema violation (host: required field missing)","fields":{"host":"required field missing"}}`},
		{"unknown field", "POST", "/services", map[string]any{"host": "x.com", "nope": 1}, 400,
			`{"code":2,"name":"schema violation","message":"schema violation (nope: unknown field)","fields":{"nope":"unknown field"}}`},
		{"two violations", "POST", "/services", map[string]any{"host": "x.com", "port": "80", "retries": -1}, 400,
			`{"code":2,"name":"schema violation","message":"2 schema violations (port: expected an integer; retries: value should be between 0 and 32767)","fields":{"port":"expected an integer","retries":"value should be between 0 and 32767"}}`},
		{"unique violation", "POST", "/services", map[string]any{"name": "taken", "host": "x.com"}, 409,
			`{"code":5,"name":"unique constraint violation","message":"UNIQUE violation detected on '{name=\"taken\"}'","fields":{"name":"taken"}}`},
		{"patch missing by id", "PATCH", "/services/" + missing, map[string]any{"port": 1}, 404,
			`{"code":6,"name":"not found","message":"could not find the entity with primary key '{id=\"` + missing + `\"}'","fields":{"id":"` + missing + `"}}`},
		{"patch missing by name", "PATCH", "/services/nope", map[string]any{"port": 1}, 404,
			`{"code":6,"name":"not found","message":"could not find the entity with '{name=\"nope\"}'","fields":{"name":"nope"}}`},
		{"get missing", "GET", "/services/" + missing, nil, 404, `{"message":"Not found"}`},
		{"invalid endpoint key", "GET", "/services/bad%20name", nil, 400,
			`{"code":10,"name":"invalid unique name","message":"invalid value 'bad name': the only accepted ascii characters are alphanumerics or ., -, _, and ~"}`},
		{"no endpoint key", "GET", "/ca_certificates/not-a-uuid", nil, 400,
			`{"code":1,"name":"invalid primary key","message":"invalid primary key: '{id=\"expected a valid UUID\"}'","fields":{"id":"expected a valid UUID"}}`},
		{"delete no endpoint key", "DELETE", "/ca_certificates/x", nil, 400,
			`{"code":1,"name":"invalid primary key","message":"invalid primary key: '{id=\"expected a valid UUID\"}'","fields":{"id":"expected a valid UUID"}}`},
		{"foreign key by name unresolved", "POST", "/routes", map[string]any{"paths": []string{"/"}, "service": map[string]any{"name": "nope"}}, 400,
			`{"code":13,"name":"foreign keys unresolved","message":"foreign key unresolved (service.name: the foreign key cannot be resolved with '{name=\"nope\"}' for an existing 'services' entity)","fields":{"service":{"name":"the foreign key cannot be resolved with '{name=\"nope\"}' for an existing 'services' entity"}}}`},
		{"foreign key id missing", "POST", "/routes", map[string]any{"paths": []string{"/"}, "service": map[string]any{"id": missing}}, 400,
			`{"code":4,"name":"foreign key violation","message":"the foreign key '{id=\"` + missing + `\"}' does not reference an existing 'services' entity.","fields":{"service":{"id":"` + missing + `"}}}`},
		{"restricted delete", "DELETE", "/services/taken", nil, 400,
			`{"code":4,"name":"foreign key violation","message":"an existing 'routes' entity references this 'services' entity","fields":{"@referenced_by":"routes"}}`},
		{"entity check", "POST", "/consumers", map[string]any{}, 400,
			`{"code":2,"name":"schema violation","message":"schema violation (at least one of these fields must be non-empty: 'custom_id', 'username')","fields":{"@entity":["at least one of these fields must be non-empty: 'custom_id', 'username'"]}}`},
		{"unknown plugin", "POST", "/plugins", map[string]any{"name": "nope", "config": map[string]any{}}, 400,
			`{"code":2,"name":"schema violation","message":"schema violation (name: plugin 'nope' not enabled; add it to the 'plugins' configuration property)","fields":{"name":"plugin 'nope' not enabled; add it to the 'plugins' configuration property"}}`},
		{"plugin config type", "POST", "/plugins", map[string]any{"name": "test-plugin", "config": map[string]any{"minute": "x"}}, 400,
			`{"code":2,"name":"schema violation","message":"schema violation (config.minute: expected an integer)","fields":{"config":{"minute":"expected an integer"}}}`},
		{"ttl on an entity without ttl", "POST", "/consumers", map[string]any{"username": "u", "ttl": 5}, 400,
			`{"code":2,"name":"schema violation","message":"schema violation (ttl: unknown field)","fields":{"ttl":"unknown field"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, e.req(tt.method, tt.path, tt.body), tt.status, tt.want)
		})
	}
}

func TestForeignKeyResolution(t *testing.T) {
	e := newEnv(t)
	svc := e.must(201, "POST", "/services", map[string]any{"name": "svc", "host": "example.com"})
	c := e.must(201, "POST", "/consumers", map[string]any{"username": "bob", "custom_id": "b1"})
	route := e.must(201, "POST", "/routes", map[string]any{"paths": []string{"/"}, "service": map[string]any{"name": "svc"}})
	if route["service"].(map[string]any)["id"] != svc["id"] {
		t.Errorf("route.service = %v", route["service"])
	}
	// by form
	r := e.form("POST", "/plugins", "name=test-plugin&consumer.username=bob&service.name=svc")
	check(t, r, 201, skip)
	body := r.obj()
	if body["consumer"].(map[string]any)["id"] != c["id"] || body["service"].(map[string]any)["id"] != svc["id"] {
		t.Errorf("plugin = %s", r.raw)
	}
	// custom_id is unique too
	route2 := e.must(200, "PATCH", "/routes/"+route["id"].(string), map[string]any{"service": map[string]any{"name": "svc"}})
	if route2["service"].(map[string]any)["id"] != svc["id"] {
		t.Errorf("route2 = %v", route2)
	}
	p := e.must(201, "POST", "/plugins", map[string]any{"name": "other-plugin", "consumer": map[string]any{"custom_id": "b1"}})
	if p["consumer"].(map[string]any)["id"] != c["id"] {
		t.Errorf("plugin by custom_id = %v", p)
	}
}

func TestPagination(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for i := range 5 {
		r := e.must(201, "POST", "/consumers", map[string]any{"username": fmt.Sprintf("u%d", i), "tags": []string{"t", fmt.Sprintf("n%d", i%2)}})
		ids = append(ids, r["id"].(string))
	}
	page1 := e.must(200, "GET", "/consumers?size=2", nil)
	if len(page1["data"].([]any)) != 2 {
		t.Fatalf("page1 = %v", page1)
	}
	off := page1["offset"].(string)
	if want := "/consumers?offset=" + escape(off) + "&size=2"; page1["next"] != want {
		t.Errorf("next = %v, want %v", page1["next"], want)
	}
	page2 := e.must(200, "GET", page1["next"].(string), nil)
	page3 := e.must(200, "GET", page2["next"].(string), nil)
	if len(page3["data"].([]any)) != 1 || page3["next"] != nil {
		t.Errorf("page3 = %v", page3)
	}
	if _, has := page3["offset"]; has {
		t.Errorf("last page has an offset: %v", page3)
	}
	seen := map[any]bool{}
	for _, p := range []map[string]any{page1, page2, page3} {
		for _, d := range p["data"].([]any) {
			seen[d.(map[string]any)["id"]] = true
		}
	}
	if len(seen) != 5 {
		t.Errorf("pages covered %d entities", len(seen))
	}
	tagged := e.must(200, "GET", "/consumers?tags=n1&size=1", nil)
	if want := "/consumers?offset=" + escape(tagged["offset"].(string)) + "&tags=n1&size=1"; tagged["next"] != want {
		t.Errorf("tagged next = %v, want %v", tagged["next"], want)
	}
	count := func(q string) int {
		return len(e.must(200, "GET", "/consumers?"+q, nil)["data"].([]any))
	}
	for q, want := range map[string]int{"tags=n1": 2, "tags=n0": 3, "tags=t,n1": 2, "tags=n0/n1": 5, "tags=nope": 0, "tags=t,nope": 0, "tags=t/nope": 5} {
		if got := count(q); got != want {
			t.Errorf("%s: %d entities, want %d", q, got, want)
		}
	}
	empty := e.req("GET", "/upstreams", nil)
	check(t, empty, 200, `{"data":[],"next":null}`)

	tests := []struct {
		query  string
		status int
		want   string
	}{
		{"size=abc", 400, `{"code":9,"name":"invalid size","message":"size must be a number"}`},
		{"size=0", 400, `{"code":9,"name":"invalid size","message":"size must be an integer between 1 and 1000"}`},
		{"size=1001", 400, `{"code":9,"name":"invalid size","message":"size must be an integer between 1 and 1000"}`},
		{"size=1.5", 400, `{"code":9,"name":"invalid size","message":"size must be an integer between 1 and 1000"}`},
		{"size=1&size=2", 400, `{"code":9,"name":"invalid size","message":"size must be a number"}`},
		{"offset=%25%25", 400, `{"code":7,"name":"invalid offset","message":"'%%' is not a valid offset: bad base64 encoding"}`},
		{"offset=YWJj", 400, `{"code":7,"name":"invalid offset","message":"'YWJj' is not a valid offset: bad json encoding"}`},
		{"offset=", 400, `{"code":7,"name":"invalid offset","message":"'' is not a valid offset: bad json encoding"}`},
		{"tags=", 400, `{"code":11,"name":"invalid options","message":"invalid option (tags: cannot be null)","options":{"tags":"cannot be null"}}`},
		{"tags=a,b/c", 400, `{"code":11,"name":"invalid options","message":"invalid option (tags: invalid filter syntax)","options":{"tags":"invalid filter syntax"}}`},
		{"tags=1,2,3,4,5,6", 400, `{"code":11,"name":"invalid options","message":"invalid option (tags: cannot query more than 5 tags)","options":{"tags":"cannot query more than 5 tags"}}`},
		{"tags=&size=x", 400, `{"code":11,"name":"invalid options","message":"invalid option (tags: cannot be null)","options":{"tags":"cannot be null"}}`},
		{"tags=a,b/c&size=x", 400, `{"code":9,"name":"invalid size","message":"size must be a number"}`},
		{"size=0&offset=bad!", 400, `{"code":9,"name":"invalid size","message":"size must be an integer between 1 and 1000"}`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			check(t, e.req("GET", "/consumers?"+tt.query, nil), tt.status, tt.want)
		})
	}
}

func escape(s string) string {
	return strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(s)
}

func TestConsumerCustomID(t *testing.T) {
	e := newEnv(t)
	c := e.must(201, "POST", "/consumers", map[string]any{"username": "bob", "custom_id": "b 1"})
	check(t, e.req("GET", "/consumers?custom_id=b%201", nil), 200, map[string]any{"data": []any{c}, "next": nil})
	check(t, e.req("GET", "/consumers?custom_id=nope", nil), 200, `{"data":[],"next":null}`)
	check(t, e.req("GET", "/consumers?custom_id=", nil), 400, `{"message":"custom_id must be an unempty string"}`)
	check(t, e.req("GET", "/consumers/bob", nil), 200, c)
}

func TestUpstreamShorthands(t *testing.T) {
	e := newEnv(t)
	u := e.must(201, "POST", "/upstreams", map[string]any{"name": "up", "hash_on": "ip"})
	if u["algorithm"] != "consistent-hashing" {
		t.Errorf("algorithm = %v", u["algorithm"])
	}
	hc := u["healthchecks"].(map[string]any)["active"].(map[string]any)
	if hc["http_path"] != "/" || hc["type"] != "http" {
		t.Errorf("healthchecks not expanded: %v", hc)
	}
	// a form PATCH reaches nested records with inferred types
	r := e.form("PATCH", "/upstreams/up", "healthchecks.active.healthy.interval=5&healthchecks.active.healthy.http_statuses=200&slots=20")
	check(t, r, 200, skip)
	healthy := r.obj()["healthchecks"].(map[string]any)["active"].(map[string]any)["healthy"].(map[string]any)
	if healthy["interval"] != 5.0 || fmt.Sprint(healthy["http_statuses"]) != "[200]" || r.obj()["slots"] != 20.0 {
		t.Errorf("patched = %s", r.raw)
	}
	if healthy["successes"] != 0.0 {
		t.Errorf("merge lost defaults: %v", healthy)
	}
}
