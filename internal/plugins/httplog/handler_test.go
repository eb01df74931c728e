package httplog_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/httplog"
	_ "github.com/silverback-gw/silverback/internal/plugins/keyauth"
)

var loaded = []string{"http-log", "key-auth"}

// received is one request the log server got.
type received struct {
	method, path, host string
	header             http.Header
	body               []byte
}

// receiver is a log server on 127.0.0.1; it answers 500 to the first
// `fail` requests.
type receiver struct {
	*httptest.Server
	got  chan received
	fail atomic.Int32
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{got: make(chan received, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		if r.fail.Add(-1) >= 0 {
			http.Error(w, "not now", http.StatusInternalServerError)
			return
		}
		r.got <- received{req.Method, req.URL.RequestURI(), req.Host, req.Header, b}
	}))
	t.Cleanup(r.Close)
	return r
}

// next returns the next request the log server accepted.
func (r *receiver) next(t *testing.T) received {
	t.Helper()
	select {
	case got := <-r.got:
		return got
	case <-time.After(5 * time.Second):
		t.Fatal("nothing reached the log server")
	}
	return received{}
}

// none checks that nothing more reaches the log server for a while.
func (r *receiver) none(t *testing.T) {
	t.Helper()
	select {
	case got := <-r.got:
		t.Errorf("unexpected log %s", got.body)
	case <-time.After(100 * time.Millisecond):
	}
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, b)
	}
	return m
}

// field reads a dotted path of a decoded entry.
func field(m map[string]any, path string) any {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		obj, _ := cur.(map[string]any)
		cur = obj[k]
	}
	return cur
}

// TestLogsProxiedRequest: a proxied, authenticated request reaches the log
// server as Kong's serialized JSON object.
func TestLogsProxiedRequest(t *testing.T) {
	e := plugintest.New(t, loaded)
	logs := newReceiver(t)
	svc := e.Service()
	route := e.Route(svc, "/logged")
	consumer := e.Insert("consumers", `{"username":"alice","custom_id":"a-1"}`)
	cred := e.Insert("keyauth_credentials", `{"consumer":{"id":"`+consumer+`"},"key":"secret-key"}`)
	e.Plugin("key-auth", plugintest.On("route", route), `{"key_names":["apikey"]}`)
	e.Plugin("http-log", plugintest.On("route", route),
		`{"http_endpoint":"`+logs.URL+`/logs","headers":{"X-Log-Token":"t0k"}}`)

	before := time.Now().UnixMilli()
	res, body := e.Do(plugintest.Request{Method: "POST", Path: "/logged/x?a=1&a=2&flag", Body: "hello",
		Header: http.Header{"Apikey": {"secret-key"}, "Authorization": {"Bearer hidden"}, "X-Multi": {"1", "2"}}})
	after := time.Now().UnixMilli()
	if res.StatusCode != 200 {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	got := logs.next(t)
	if got.method != "POST" || got.path != "/logs" || got.header.Get("Content-Type") != "application/json" ||
		got.header.Get("X-Log-Token") != "t0k" || got.header.Get("Authorization") != "" {
		t.Errorf("log request %s %s %v", got.method, got.path, got.header)
	}
	m := decode(t, got.body)
	port := e.Server.Listener.Addr().(interface{ String() string }).String()
	port = port[strings.LastIndexByte(port, ':')+1:]
	for path, want := range map[string]any{
		"request.method":                     "POST",
		"request.uri":                        "/logged/x?a=1&a=2&flag",
		"request.url":                        "http://127.0.0.1:" + port + "/logged/x?a=1&a=2&flag",
		"request.id":                         res.Header.Get("X-Kong-Request-Id"),
		"request.headers.authorization":      "REDACTED",
		"request.headers.apikey":             "secret-key",
		"request.headers.host":               "127.0.0.1:" + port,
		"request.headers.content-length":     "5",
		"request.querystring.flag":           true,
		"response.status":                    200.0,
		"response.headers.content-type":      "application/json",
		"response.headers.x-kong-request-id": res.Header.Get("X-Kong-Request-Id"),
		"upstream_uri":                       "/x?a=1&a=2&flag",
		"upstream_status":                    "200",
		"source":                             "upstream",
		"client_ip":                          "127.0.0.1",
		"workspace_name":                     "default",
		"route.id":                           route,
		"route.paths":                        []any{"/logged"},
		"service.id":                         svc,
		"service.host":                       "127.0.0.1",
		"consumer.id":                        consumer,
		"consumer.username":                  "alice",
		"consumer.custom_id":                 "a-1",
		"authenticated_entity.id":            cred,
	} {
		if got := field(m, path); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	if got := fmt.Sprint(field(m, "request.headers.x-multi"), field(m, "request.querystring.a")); got != "[1 2] [1 2]" {
		t.Errorf("repeated header and argument: %s", got)
	}
	// the request line, headers and body; the response's head and body
	if n, _ := field(m, "request.size").(float64); n < float64(len("POST /logged/x?a=1&a=2&flag HTTP/1.1\r\n\r\nhello")) {
		t.Errorf("request.size %v", n)
	}
	if n, _ := field(m, "response.size").(float64); n <= float64(len(body)) {
		t.Errorf("response.size %v for a %d byte body", n, len(body))
	}
	if n, _ := field(m, "started_at").(float64); n < float64(before) || n > float64(after) {
		t.Errorf("started_at %v not in [%d, %d]", n, before, after)
	}
	lat, _ := m["latencies"].(map[string]any)
	for _, k := range []string{"kong", "proxy", "request", "receive"} {
		if v, ok := lat[k].(float64); !ok || v < 0 {
			t.Errorf("latencies.%s = %v", k, lat[k])
		}
	}
	if tries, _ := m["tries"].([]any); len(tries) != 1 {
		t.Errorf("tries %v", m["tries"])
	}
	if strings.Contains(string(got.body), "Bearer hidden") {
		t.Error("the Authorization header's value was logged")
	}
}

// TestLogsGatewayResponse: a request the gateway answered itself (key-auth
// refuses it) is logged with source "kong", no proxy latency and no
// upstream status.
func TestLogsGatewayResponse(t *testing.T) {
	e := plugintest.New(t, loaded)
	logs := newReceiver(t)
	route := e.Route(e.Service(), "/private")
	e.Plugin("key-auth", plugintest.On("route", route), "")
	e.Plugin("http-log", "", `{"http_endpoint":"`+logs.URL+`"}`)

	if res, _ := e.Get("/private"); res.StatusCode != 401 {
		t.Fatalf("status %d", res.StatusCode)
	}
	m := decode(t, logs.next(t).body)
	if field(m, "response.status") != 401.0 || m["source"] != "kong" || field(m, "latencies.proxy") != -1.0 ||
		m["upstream_status"] != "" || m["consumer"] != nil || m["tries"] != nil || field(m, "route.id") != route {
		t.Errorf("logged %v", m)
	}
	if e.Upstream.Count.Load() != 0 {
		t.Error("the upstream was reached")
	}

	// no route: logged by the global instance, without route or service
	if res, _ := e.Get("/nowhere"); res.StatusCode != 404 {
		t.Fatalf("status %d", res.StatusCode)
	}
	m = decode(t, logs.next(t).body)
	if field(m, "response.status") != 404.0 || m["route"] != nil || m["service"] != nil || m["upstream_uri"] != "" {
		t.Errorf("logged %v", m)
	}
}

// TestBatches: with max_batch_size above 1 the log server gets JSON
// arrays; the legacy queue_size does the same.
func TestBatches(t *testing.T) {
	for _, tc := range []struct{ name, queue, warning string }{
		{"queue.max_batch_size", `"queue":{"max_batch_size":3,"max_coalescing_delay":0.5}`, ""},
		{"legacy queue_size and flush_timeout", `"queue_size":3,"flush_timeout":0.5`,
			"the queue_size parameter is deprecated, please update your configuration to use queue.max_batch_size instead"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := plugintest.New(t, loaded)
			logs := newReceiver(t)
			e.Route(e.Service(), "/")
			e.Plugin("http-log", "", `{"http_endpoint":"`+logs.URL+`",`+tc.queue+`}`)
			for i := range 4 {
				if res, _ := e.Get(fmt.Sprintf("/%d", i)); res.StatusCode != 200 {
					t.Fatalf("status %d", res.StatusCode)
				}
			}
			var batch []map[string]any
			if err := json.Unmarshal(logs.next(t).body, &batch); err != nil || len(batch) != 3 {
				t.Fatalf("first batch: %v %v", err, batch)
			}
			for i, entry := range batch {
				if field(entry, "request.uri") != fmt.Sprintf("/%d", i) {
					t.Errorf("entry %d: %v", i, field(entry, "request.uri"))
				}
			}
			// the fourth waits for max_coalescing_delay, then goes alone, in an array
			logs.none(t)
			if b := logs.next(t).body; b[0] != '[' || len(decodeArray(t, b)) != 1 {
				t.Errorf("second batch %s", b)
			}
			if !strings.Contains(e.Logs.String(), tc.warning) {
				t.Errorf("no warning %q in logs:\n%s", tc.warning, e.Logs)
			}
		})
	}
}

func decodeArray(t *testing.T, b []byte) []any {
	t.Helper()
	var a []any
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("not a JSON array: %v: %s", err, b)
	}
	return a
}

// TestRetry: a failing log server gets the entry again, after backoff.
func TestRetry(t *testing.T) {
	e := plugintest.New(t, loaded)
	logs := newReceiver(t)
	logs.fail.Store(2)
	e.Route(e.Service(), "/")
	e.Plugin("http-log", "", `{"http_endpoint":"`+logs.URL+`","queue":{"initial_retry_delay":0.05}}`)
	start := time.Now()
	res, _ := e.Get("/retried")
	if res.StatusCode != 200 || time.Since(start) > time.Second {
		t.Fatalf("status %d after %v", res.StatusCode, time.Since(start))
	}
	m := decode(t, logs.next(t).body)
	if m["request"].(map[string]any)["uri"] != "/retried" {
		t.Errorf("logged %v", m["request"])
	}
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("delivered after %v: no backoff", took)
	}
	want := "handler could not process entries: request to " + strings.TrimPrefix(logs.URL, "http://") +
		" returned status code 500 and body not now"
	if n := strings.Count(e.Logs.String(), want); n != 2 {
		t.Errorf("%d times %q in logs:\n%s", n, want, e.Logs)
	}
}

// TestEndpoint: user info becomes Basic authentication, the method and
// content type are the configured ones, the query of the endpoint is not
// sent (as Kong), and custom_fields_by_lua, whose Lua is not run, is
// reported.
func TestEndpoint(t *testing.T) {
	e := plugintest.New(t, loaded)
	logs := newReceiver(t)
	e.Route(e.Service(), "/")
	endpoint := strings.Replace(logs.URL, "http://", "http://bob:s3cret@", 1) + "/in/path?dropped=1"
	e.Plugin("http-log", "", `{"http_endpoint":"`+endpoint+`","method":"PUT","content_type":"application/json; charset=utf-8",`+
		`"custom_fields_by_lua":{"new_field":"return 123"}}`)
	e.Get("/")
	got := logs.next(t)
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("bob:s3cret"))
	if got.method != "PUT" || got.path != "/in/path" || got.header.Get("Authorization") != wantAuth ||
		got.header.Get("Content-Type") != "application/json; charset=utf-8" || got.host != strings.TrimPrefix(logs.URL, "http://") {
		t.Errorf("log request %s %s %v", got.method, got.path, got.header)
	}
	if m := decode(t, got.body); m["new_field"] != nil {
		t.Errorf("custom field logged: %v", m["new_field"])
	}
	if !strings.Contains(e.Logs.String(), "custom_fields_by_lua is not supported") {
		t.Errorf("no warning about custom_fields_by_lua in logs:\n%s", e.Logs)
	}
	if strings.Contains(e.Logs.String(), "s3cret") {
		t.Error("the endpoint's password was logged")
	}
}

// TestUnreachable: a log server that cannot be reached delays no client
// and is reported.
func TestUnreachable(t *testing.T) {
	e := plugintest.New(t, loaded)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	e.Route(e.Service(), "/")
	e.Plugin("http-log", "", `{"http_endpoint":"`+dead.URL+`","timeout":200,"queue":{"max_retry_time":0.1}}`)
	start := time.Now()
	if res, _ := e.Get("/"); res.StatusCode != 200 || time.Since(start) > time.Second {
		t.Fatalf("status %d after %v", res.StatusCode, time.Since(start))
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(e.Logs.String(), "1 queue entries were lost") {
		if time.Now().After(deadline) {
			t.Fatalf("logs:\n%s", e.Logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(e.Logs.String(), "handler could not process entries: failed request to "+strings.TrimPrefix(dead.URL, "http://")) {
		t.Errorf("logs:\n%s", e.Logs)
	}
}
