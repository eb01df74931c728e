package admin_test

import (
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/admin"
)

func TestRoot(t *testing.T) {
	e := newEnv(t)
	e.must(201, "POST", "/plugins", map[string]any{"name": "test-plugin"})
	e.must(201, "POST", "/services", map[string]any{"name": "s", "host": "x.com"})
	e.must(201, "POST", "/services/s/plugins", map[string]any{"name": "test-plugin"})
	r := e.req("GET", "/", nil)
	check(t, r, 200, map[string]any{
		"tagline":  "Welcome to kong",
		"version":  "3.9.1",
		"edition":  "community",
		"hostname": "test-host",
		"node_id":  "6d5a3bb4-6b2a-4d5e-9d3c-0d0c0e0f1a2b",
		"timers":   map[string]any{"running": 0, "pending": 0},
		"plugins": map[string]any{
			"available_on_server": map[string]any{
				"test-plugin":  map[string]any{"version": "1.2.3", "priority": 1000},
				"other-plugin": map[string]any{"version": "3.9.1", "priority": 10},
			},
			"enabled_in_cluster": []any{"test-plugin"},
		},
		"lua_version": "LuaJIT 2.1.0-20231117",
		"configuration": map[string]any{
			"admin_listen": []any{"127.0.0.1:8001"}, "database": "sqlite", "log_level": "notice",
			"router_flavor": "traditional_compatible", "role": "traditional",
			"admin_listeners": []any{map[string]any{"listener": "127.0.0.1:8001", "ip": "127.0.0.1", "port": 8001,
				"ssl": false, "http2": false, "proxy_protocol": false, "deferred": false, "bind": false, "reuseport": false, "backlog=%d+": false}},
			"admin_ssl_enabled": false,
		},
	}, "pids")
	pids := r.obj()["pids"].(map[string]any)
	if pids["master"] == nil || len(pids["workers"].([]any)) != 1 {
		t.Errorf("pids = %v", pids)
	}
}

func TestStatus(t *testing.T) {
	e := newEnv(t)
	mib := regexp.MustCompile(`^\d+\.\d{2} MiB$`)
	r := e.must(200, "GET", "/status", nil)
	vm := r["memory"].(map[string]any)["workers_lua_vms"].([]any)[0].(map[string]any)
	if !mib.MatchString(vm["http_allocated_gc"].(string)) {
		t.Errorf("memory = %v", vm)
	}
	server := r["server"].(map[string]any)
	for _, k := range []string{"connections_active", "connections_reading", "connections_writing",
		"connections_waiting", "connections_accepted", "connections_handled", "total_requests"} {
		if _, ok := server[k].(float64); !ok {
			t.Errorf("server.%s = %v", k, server[k])
		}
	}
	if server["connections_writing"] != 1.0 || server["total_requests"].(float64) < 1 || server["connections_accepted"].(float64) < 1 {
		t.Errorf("server = %v", server)
	}
	if r["database"].(map[string]any)["reachable"] != true {
		t.Errorf("database = %v", r["database"])
	}
	before := server["total_requests"].(float64)
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() { defer wg.Done(); e.req("GET", "/services", nil) }()
	}
	wg.Wait()
	after := e.must(200, "GET", "/status", nil)["server"].(map[string]any)["total_requests"].(float64)
	if after < before+6 {
		t.Errorf("total_requests %v -> %v", before, after)
	}
	units := []struct {
		query string
		re    string
	}{
		{"unit=b", `^\d+$`}, {"unit=B", `^\d+$`}, {"unit=k&scale=1", `^\d+\.\d KiB$`}, {"unit=G&scale=0", `^\d+ GiB$`},
		{"scale=4", `^\d+\.\d{4} MiB$`}, {"scale=x", `^\d+\.\d{2} MiB$`},
	}
	for _, u := range units {
		r := e.must(200, "GET", "/status?"+u.query, nil)
		v := r["memory"].(map[string]any)["workers_lua_vms"].([]any)[0].(map[string]any)["http_allocated_gc"]
		s, isString := v.(string)
		if !isString {
			s = formatNumber(v)
		}
		if !regexp.MustCompile(u.re).MatchString(s) {
			t.Errorf("%s: %v", u.query, v)
		}
	}
	check(t, e.req("GET", "/status?unit=x", nil), 400, `{"message":"invalid unit 'x' (expected 'k/K', 'm/M', or 'g/G')"}`)
	check(t, e.req("GET", "/status?scale=-1", nil), 400, `{"message":"scale must be equal or greater than 0"}`)
}

func formatNumber(v any) string {
	f, _ := v.(float64)
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func TestEndpointsList(t *testing.T) {
	e := newEnv(t)
	r := e.must(200, "GET", "/endpoints", nil)
	var paths []string
	for _, p := range r["data"].([]any) {
		paths = append(paths, p.(string))
	}
	for _, want := range []string{
		"/", "/services", "/services/{services}", "/services/{services}/routes/{routes}",
		"/routes/{routes}/service", "/plugins/{plugins}/consumer", "/consumers/{consumers}/plugins/{plugins}",
		"/certificates/{certificates}/snis", "/upstreams/{upstreams}/targets/all", "/targets",
		"/schemas/{db_entity_name}/validate", "/debug/node/log-level/{log_level}", "/tags/{tags}", "/config",
	} {
		if !slices.Contains(paths, want) {
			t.Errorf("missing %s", want)
		}
	}
	i := slices.Index(paths, "/routes/{routes}/service")
	j := slices.Index(paths, "/schemas/plugins/validate")
	if paths[0] != "/" || i < 0 || j < i {
		t.Errorf("order: %v", paths)
	}
	if a, b := slices.Index(paths, "/plugins/{plugins}/service"), slices.Index(paths, "/plugins/enabled"); b > a {
		t.Errorf("/plugins/enabled after /plugins/{plugins}/service")
	}
}

func TestPluginsEnabledAndSchemas(t *testing.T) {
	e := newEnv(t)
	check(t, e.req("GET", "/plugins/enabled", nil), 200, `{"enabled_plugins":["other-plugin","test-plugin"]}`)
	check(t, e.req("GET", "/schemas/plugins/other-plugin", nil), 200,
		`{"fields":[{"config":{"type":"record","required":true,"fields":[{"message":{"type":"string"}}]}}],"entity_checks":[]}`)
	check(t, e.req("GET", "/plugins/schema/other-plugin", nil), 200,
		`{"fields":[{"message":{"type":"string"}}],"entity_checks":[]}`)
	check(t, e.req("GET", "/schemas/plugins/nope", nil), 404, `{"message":"No plugin named 'nope'"}`)
	check(t, e.req("GET", "/plugins/schema/nope", nil), 404, `{"message":"No plugin named 'nope'"}`)
	check(t, e.req("GET", "/schemas/nope", nil), 404, `{"message":"No entity named 'nope'"}`)
	svc := e.must(200, "GET", "/schemas/services", nil)
	fields := svc["fields"].([]any)
	if len(fields) == 0 || fields[0].(map[string]any)["id"] == nil {
		t.Errorf("services schema = %v", svc)
	}
	check(t, e.req("GET", "/schemas/tags", nil), 200, skip)

	ok := `{"message":"schema validation successful"}`
	check(t, e.req("POST", "/schemas/services/validate", map[string]any{"host": "x.com"}), 200, ok)
	check(t, e.req("POST", "/schemas/services/validate", map[string]any{"host": "x.com", "port": -1}), 400,
		`{"code":2,"name":"schema violation","message":"schema violation (port: value should be between 0 and 65535)","fields":{"port":"value should be between 0 and 65535"}}`)
	check(t, e.req("POST", "/schemas/nope/validate", map[string]any{}), 404, `{"message":"No entity named 'nope'"}`)
	check(t, e.req("POST", "/schemas/plugins/validate", map[string]any{"name": "test-plugin", "config": map[string]any{"minute": 3}}), 200, ok)
	check(t, e.req("POST", "/schemas/plugins/validate", map[string]any{"name": "test-plugin", "config": map[string]any{"minute": 3000}}), 400,
		`{"code":2,"name":"schema violation","message":"schema violation (config.minute: value should be between 0 and 1000)","fields":{"config":{"minute":"value should be between 0 and 1000"}}}`)
	// form values are not inferred from the schema, only "", "true" and "false"
	check(t, e.form("POST", "/schemas/services/validate", "host=x.com&enabled=false&path="), 200, ok)
	check(t, e.form("POST", "/schemas/services/validate", "host=x.com&port=80"), 400,
		`{"code":2,"name":"schema violation","message":"schema violation (port: expected an integer)","fields":{"port":"expected an integer"}}`)
	// nothing was written
	check(t, e.req("GET", "/services", nil), 200, `{"data":[],"next":null}`)
}

func TestLogLevel(t *testing.T) {
	level := admin.NewLogLevel("notice")
	var seen []string
	var mu sync.Mutex
	level.OnChange = func(l string) { mu.Lock(); seen = append(seen, l); mu.Unlock() }
	e := newEnv(t, func(o *admin.Options) { o.LogLevel = level })
	check(t, e.req("GET", "/debug/node/log-level", nil), 200, `{"message":"log level: notice"}`)
	check(t, e.req("PUT", "/debug/node/log-level/notice", nil), 200, `{"message":"log level is already notice"}`)
	check(t, e.req("PUT", "/debug/node/log-level/loud", nil), 400, `{"message":"unknown log level: loud"}`)
	check(t, e.req("PUT", "/debug/node/log-level/debug?timeout=-1", nil), 400, `{"message":"timeout must be greater than or equal to 0"}`)
	check(t, e.req("PUT", "/debug/node/log-level/debug", nil), 200, `{"message":"log level changed"}`)
	check(t, e.req("GET", "/debug/node/log-level", nil), 200, `{"message":"log level: debug"}`)
	if e.must(200, "GET", "/", nil)["configuration"].(map[string]any)["log_level"] != "debug" {
		t.Errorf("GET / does not show the dynamic level")
	}
	check(t, e.req("PUT", "/debug/cluster/log-level/warn", map[string]any{"timeout": 0.2}), 200, `{"message":"log level changed"}`)
	deadline := time.Now().Add(5 * time.Second)
	for level.Level() != "notice" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if level.Level() != "notice" {
		t.Errorf("level did not come back after its timeout: %s", level.Level())
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(seen, []string{"debug", "warn", "notice"}) {
		t.Errorf("changes = %v", seen)
	}
}

type fakeCache map[string]any

func (f fakeCache) Probe(k string) (any, bool) { v, ok := f[k]; return v, ok }
func (f fakeCache) Invalidate(k string)        { delete(f, k) }
func (f fakeCache) Purge()                     { clear(f) }

func TestCacheAndMisc(t *testing.T) {
	cache := fakeCache{"a": map[string]any{"x": 1}, "b": "text"}
	e := newEnv(t, func(o *admin.Options) { o.Cache = cache })
	check(t, e.req("GET", "/cache/a", nil), 200, `{"x":1}`)
	check(t, e.req("GET", "/cache/b", nil), 200, `{"message":"text"}`)
	check(t, e.req("GET", "/cache/c", nil), 404, `{"message":"Not found"}`)
	check(t, e.req("DELETE", "/cache/a", nil), 204, nil)
	check(t, e.req("GET", "/cache/a", nil), 404, `{"message":"Not found"}`)
	check(t, e.req("DELETE", "/cache", nil), 204, nil)
	check(t, e.req("GET", "/cache/b", nil), 404, `{"message":"Not found"}`)
	check(t, e.req("GET", "/cache", nil), 405, `{"message":"Method not allowed"}`)
	check(t, e.req("GET", "/status/dns", nil), 501, `{"message":"not implemented with the legacy DNS client"}`)
	check(t, e.req("GET", "/clustering/data-planes", nil), 400,
		`{"message":"this endpoint is only available when Kong is configured to run as Control Plane for the cluster"}`)
	check(t, e.req("GET", "/timers", nil), 200, skip)
}
