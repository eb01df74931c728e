package admin_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/silverback-gw/silverback/internal/admin"
)

func TestTargets(t *testing.T) {
	e := newEnv(t)
	up := e.must(201, "POST", "/upstreams", map[string]any{"name": "up"})
	upID := up["id"].(string)
	e.must(201, "POST", "/upstreams", map[string]any{"name": "other"})
	// explicit creation times make "newest first" deterministic
	t1 := e.must(201, "POST", "/upstreams/up/targets", map[string]any{"target": "10.0.0.1", "created_at": 1700000001.5})
	if t1["target"] != "10.0.0.1:8000" || t1["weight"] != 100.0 || t1["upstream"].(map[string]any)["id"] != upID {
		t.Fatalf("target = %v", t1)
	}
	if _, isFloat := t1["created_at"].(float64); !isFloat {
		t.Errorf("created_at = %v", t1["created_at"])
	}
	var ids []string
	for i := 2; i <= 4; i++ {
		r := e.form("POST", "/upstreams/"+upID+"/targets", fmt.Sprintf("target=host%d.example:80&weight=%d&created_at=170000000%d", i, i, i))
		check(t, r, 201, skip)
		ids = append(ids, r.obj()["id"].(string))
	}
	t6 := e.must(201, "POST", "/upstreams/up/targets", map[string]any{"target": "[::1]:90", "weight": 0, "created_at": 1700000006})
	if t6["target"] != "[::1]:90" {
		t.Errorf("ipv6 target = %v", t6["target"])
	}
	otherT := e.must(201, "POST", "/upstreams/other/targets", map[string]any{"target": "10.0.0.1"})

	tests := []struct {
		name         string
		method, path string
		body         any
		status       int
		want         any
	}{
		{"by normalized target", "GET", "/upstreams/up/targets/10.0.0.1:8000", nil, 200, t1},
		{"by id", "GET", "/upstreams/up/targets/" + t1["id"].(string), nil, 200, t1},
		{"not normalized", "GET", "/upstreams/up/targets/10.0.0.1", nil, 404, `{"message":"Not found"}`},
		{"target of another upstream", "GET", "/upstreams/up/targets/" + otherT["id"].(string), nil, 404, `{"message":"Not found"}`},
		{"missing upstream", "GET", "/upstreams/nope/targets", nil, 404, `{"message":"Not found"}`},
		{"missing upstream target", "GET", "/upstreams/nope/targets/x", nil, 404, `{"message":"Not found"}`},
		{"duplicate", "POST", "/upstreams/up/targets", map[string]any{"target": "10.0.0.1:8000"}, 409,
			`{"code":5,"name":"unique constraint violation","message":"UNIQUE violation detected on '{target=\"10.0.0.1:8000\",upstream={id=\"` + upID + `\"}}'","fields":{"target":"10.0.0.1:8000","upstream":{"id":"` + upID + `"}}}`},
		{"invalid target", "POST", "/upstreams/up/targets", map[string]any{"target": "bad target"}, 400,
			`{"code":2,"name":"schema violation","message":"schema violation (target: Invalid target ('bad target'); not a valid hostname or ip address)","fields":{"target":"Invalid target ('bad target'); not a valid hostname or ip address"}}`},
		{"put does not create", "PUT", "/upstreams/up/targets/1.1.1.1:80", map[string]any{"weight": 1}, 404, `{"message":"Not found"}`},
		{"delete missing", "DELETE", "/upstreams/up/targets/1.1.1.1:80", nil, 404, `{"message":"Not found"}`},
		{"top-level disabled", "GET", "/targets/" + t1["id"].(string), nil, 404, `{"message":"Not found"}`},
		{"upstream of target disabled", "GET", "/targets/" + t1["id"].(string) + "/upstream", nil, 404, `{"message":"Not found"}`},
		{"bad offset", "GET", "/upstreams/up/targets?offset=abc", nil, 400,
			`{"code":7,"name":"invalid offset","message":"'abc' is not a valid offset: must be a number"}`},
		{"bad size", "GET", "/upstreams/up/targets?size=x", nil, 400, `{"code":9,"name":"invalid size","message":"size must be a number"}`},
		{"healthy", "PUT", "/upstreams/up/targets/10.0.0.1:8000/healthy", nil, 204, nil},
		{"unhealthy by address", "PUT", "/upstreams/up/targets/10.0.0.1:8000/10.0.0.1/unhealthy", nil, 204, nil},
		{"healthy missing", "PUT", "/upstreams/up/targets/9.9.9.9:1/healthy", nil, 404, `{"message":"Not found"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, e.req(tt.method, tt.path, tt.body), tt.status, tt.want)
		})
	}

	// Newest first, numeric offsets, weight 0 included.
	p1 := e.must(200, "GET", "/upstreams/up/targets?size=2", nil)
	data := p1["data"].([]any)
	if len(data) != 2 || data[0].(map[string]any)["id"] != t6["id"] || p1["offset"] != "2" ||
		p1["next"] != "/upstreams/up/targets?offset=2" {
		t.Errorf("page 1 = %v", p1)
	}
	p2 := e.must(200, "GET", "/upstreams/up/targets?size=2&offset=2", nil)
	if len(p2["data"].([]any)) != 2 || p2["offset"] != "4" {
		t.Errorf("page 2 = %v", p2)
	}
	p3 := e.must(200, "GET", "/upstreams/up/targets?size=2&offset=4", nil)
	if d := p3["data"].([]any); len(d) != 1 || d[0].(map[string]any)["id"] != t1["id"] || p3["next"] != nil {
		t.Errorf("page 3 = %v", p3)
	}
	all := e.must(200, "GET", "/upstreams/up/targets/all?size=3", nil)
	if len(all["data"].([]any)) != 3 || all["next"] != "/upstreams/up/targets/all?offset="+escape(all["offset"].(string)) {
		t.Errorf("all = %v", all)
	}

	// PUT and PATCH update; DELETE removes.
	upd := e.must(200, "PUT", "/upstreams/up/targets/host2.example:80", map[string]any{"weight": 7})
	if upd["id"] != ids[0] || upd["weight"] != 7.0 {
		t.Errorf("PUT = %v", upd)
	}
	upd = e.must(200, "PATCH", "/upstreams/"+upID+"/targets/"+ids[1], map[string]any{"weight": 8, "tags": []string{"x"}})
	if upd["weight"] != 8.0 {
		t.Errorf("PATCH = %v", upd)
	}
	check(t, e.req("DELETE", "/upstreams/up/targets/host4.example:80", nil), 204, nil)
	check(t, e.req("GET", "/upstreams/up/targets/"+ids[2], nil), 404, `{"message":"Not found"}`)

	// Health without a balancer: every target HEALTHCHECKS_OFF.
	h := e.must(200, "GET", "/upstreams/up/health", nil)
	if h["node_id"] != "6d5a3bb4-6b2a-4d5e-9d3c-0d0c0e0f1a2b" || len(h["data"].([]any)) != 4 {
		t.Fatalf("health = %v", h)
	}
	for _, d := range h["data"].([]any) {
		m := d.(map[string]any)
		if m["health"] != "HEALTHCHECKS_OFF" || m["data"].(map[string]any)["dns"] != "unknown" {
			t.Errorf("target health = %v", m)
		}
		if m["id"] == t1["id"] {
			check(t, &resp{status: 200, body: m["data"]}, 200,
				`{"host":"10.0.0.1","port":8000,"dns":"unknown","nodeWeight":100,"weight":{"total":100,"available":100,"unavailable":0},"addresses":[{"ip":"10.0.0.1","port":8000,"weight":100,"health":"HEALTHCHECKS_OFF"}]}`)
		}
	}
	bh := e.must(200, "GET", "/upstreams/up/health?balancer_health=1", nil)
	d := bh["data"].(map[string]any)
	if d["id"] != upID || d["health"] != "HEALTHCHECKS_OFF" || d["balancer_health"] != "HEALTHY" || bh["next"] != nil {
		t.Errorf("balancer health = %v", bh)
	}
	check(t, e.req("GET", "/upstreams/nope/health", nil), 404, `{"message":"Not found"}`)
	// Targets cascade with their upstream.
	check(t, e.req("DELETE", "/upstreams/up", nil), 204, nil)
	check(t, e.req("GET", "/upstreams/other/targets/10.0.0.1:8000", nil), 200, otherT)
}

// fakeHealth is a balancer with canned health.
type fakeHealth struct {
	mu    sync.Mutex
	calls []string
}

func (f *fakeHealth) TargetHealth(string) (map[string]admin.TargetStatus, bool) {
	return map[string]admin.TargetStatus{
		"a.example:80": {Host: "a.example", Port: 80, DNS: "A", NodeWeight: 100,
			Addresses: []admin.AddressStatus{{IP: "1.1.1.1", Port: 80, Weight: 100, Health: "UNHEALTHY"},
				{IP: "1.1.1.2", Port: 80, Weight: 100, Health: "HEALTHY"}}},
		"b.example:80": {Host: "b.example", Port: 80, DNS: "A",
			Addresses: []admin.AddressStatus{{IP: "2.2.2.2", Port: 80, Health: "UNHEALTHY"}}},
	}, true
}

func (f *fakeHealth) BalancerHealth(string) (admin.BalancerStatus, bool) {
	return admin.BalancerStatus{Health: "UNHEALTHY", BalancerHealth: "UNHEALTHY",
		Details: admin.BalancerDetails{Hosts: []admin.TargetStatus{}}}, true
}

func (f *fakeHealth) SetTargetHealth(up, target, address string, healthy bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprint(target, "|", address, "|", healthy))
	if address == "6.6.6.6" {
		return errors.New("no such address")
	}
	return nil
}

func TestTargetHealthFromBalancer(t *testing.T) {
	hl := &fakeHealth{}
	e := newEnv(t, func(o *admin.Options) { o.Health = hl })
	e.must(201, "POST", "/upstreams", map[string]any{"name": "up"})
	for _, tg := range []string{"a.example:80", "b.example:80", "c.example:80"} {
		e.must(201, "POST", "/upstreams/up/targets", map[string]any{"target": tg})
	}
	h := e.must(200, "GET", "/upstreams/up/health", nil)
	got := map[string]any{}
	for _, d := range h["data"].([]any) {
		m := d.(map[string]any)
		got[m["target"].(string)] = m["health"]
	}
	want := map[string]any{"a.example:80": "HEALTHY", "b.example:80": "UNHEALTHY", "c.example:80": "DNS_ERROR"}
	check(t, &resp{status: 200, body: got}, 200, want)
	bh := e.must(200, "GET", "/upstreams/up/health?balancer_health=1", nil)
	if bh["data"].(map[string]any)["health"] != "UNHEALTHY" {
		t.Errorf("balancer health = %v", bh)
	}
	check(t, e.req("PUT", "/upstreams/up/targets/a.example:80/unhealthy", nil), 204, nil)
	check(t, e.req("PUT", "/upstreams/up/targets/a.example:80/1.1.1.1:80/healthy", nil), 204, nil)
	check(t, e.req("PUT", "/upstreams/up/targets/a.example:80/6.6.6.6/healthy", nil), 400, `{"message":"no such address"}`)
	hl.mu.Lock()
	defer hl.mu.Unlock()
	if fmt.Sprint(hl.calls) != "[a.example:80||false a.example:80|1.1.1.1:80|true a.example:80|6.6.6.6|true]" {
		t.Errorf("calls = %v", hl.calls)
	}
}
