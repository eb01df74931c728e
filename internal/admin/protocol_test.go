package admin_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/textproto"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/silverback-gw/silverback/internal/admin"
	"github.com/silverback-gw/silverback/internal/store"
)

func TestContentTypes(t *testing.T) {
	e := newEnv(t, func(o *admin.Options) { o.MaxBodySize = 4096 })
	manyArgs := strings.Repeat("a=1&", 1001)
	tests := []struct {
		name         string
		method, path string
		body         string
		hdr          []string
		status       int
		want         any
	}{
		{"text/plain", "POST", "/services", "host=x", []string{"Content-Type", "text/plain"}, 415, nil},
		{"no content type with a body", "POST", "/services", "host=x", nil, 415, nil},
		{"no content type without a body", "POST", "/services", "", nil, 400,
			`{"code":2,"name":"schema violation","message":"schema violation (host: required field missing)","fields":{"host":"required field missing"}}`},
		{"content type is case sensitive", "POST", "/services", `{"host":"x.com"}`, []string{"Content-Type", "Application/JSON"}, 415, nil},
		{"yaml outside /config", "POST", "/services", "host: x", []string{"Content-Type", "application/yaml"}, 415, nil},
		{"yaml on /config", "POST", "/config", "host: x", []string{"Content-Type", "text/yaml"}, 400,
			`{"message":"this endpoint is only available when Kong is configured to not use a database"}`},
		{"multiple content types", "POST", "/services", `{}`,
			[]string{"Content-Type", "application/json", "Content-Type", "application/json"}, 400,
			`{"message":"Multiple Content-Type headers not allowed"}`},
		{"bad json", "POST", "/services", `{"host":`, []string{"Content-Type", "application/json"}, 400, `{"message":"Cannot parse JSON body"}`},
		{"empty json", "POST", "/services", ``, []string{"Content-Type", "application/json"}, 400, `{"message":"Cannot parse JSON body"}`},
		{"json array", "POST", "/services", `[1]`, []string{"Content-Type", "application/json"}, 400, `{"message":"Cannot parse JSON body"}`},
		{"json trailing garbage", "POST", "/services", `{} x`, []string{"Content-Type", "application/json"}, 400, `{"message":"Cannot parse JSON body"}`},
		{"json with charset", "POST", "/services", `{"host":"x.com","name":"cs"}`,
			[]string{"Content-Type", "application/json; charset=utf-8"}, 201, skip},
		{"json has no inference", "POST", "/services", `{"host":"x.com","port":"80"}`,
			[]string{"Content-Type", "application/json"}, 400,
			`{"code":2,"name":"schema violation","message":"schema violation (port: expected an integer)","fields":{"port":"expected an integer"}}`},
		{"form inference", "POST", "/services", "host=f.com&port=8080&name=form&tags[]=a&tags[]=b&tls_verify=",
			[]string{"Content-Type", "application/x-www-form-urlencoded"}, 201, skip},
		{"form bad number", "POST", "/services", "host=f.com&port=eighty",
			[]string{"Content-Type", "application/x-www-form-urlencoded"}, 400,
			`{"code":2,"name":"schema violation","message":"schema violation (port: expected an integer)","fields":{"port":"expected an integer"}}`},
		{"too many query args", "GET", "/services?" + manyArgs, "", nil, 400, `{"message":"Too many arguments"}`},
		{"too many form args", "POST", "/services", manyArgs, []string{"Content-Type", "application/x-www-form-urlencoded"}, 400,
			`{"message":"Too many arguments"}`},
		{"body too large", "POST", "/services", `{"host":"` + strings.Repeat("x", 5000) + `"}`,
			[]string{"Content-Type", "application/json"}, 413, `{"message":"Request Entity Too Large"}`},
		{"GET ignores body type", "GET", "/services", "x", []string{"Content-Type", "text/plain"}, 200, skip},
		{"415 before 405", "POST", "/", "x", []string{"Content-Type", "text/plain"}, 415, nil},
		{"405 before body parsing", "PUT", "/", `{`, []string{"Content-Type", "application/json"}, 405, `{"message":"Method not allowed"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body any
			if tt.body != "" {
				body = tt.body
			}
			check(t, e.req(tt.method, tt.path, body, tt.hdr...), tt.status, tt.want)
		})
	}
	form := e.must(200, "GET", "/services/form", nil)
	if form["port"] != 8080.0 || fmt.Sprint(form["tags"]) != "[a b]" || form["tls_verify"] != nil {
		t.Errorf("form service = %v", form)
	}
}

func TestMultipart(t *testing.T) {
	e := newEnv(t)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("name", "test-plugin")
	_ = mw.WriteField("config.minute", "9")
	_ = mw.WriteField("protocols[]", "http")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="tags"`)
	h.Set("Content-Type", "application/json")
	pw, _ := mw.CreatePart(h)
	_, _ = pw.Write([]byte(`["x","y"]`))
	_ = mw.Close()
	r := e.req("POST", "/plugins", buf.Bytes(), "Content-Type", mw.FormDataContentType())
	check(t, r, 201, skip)
	p := r.obj()
	if p["config"].(map[string]any)["minute"] != 9.0 || fmt.Sprint(p["protocols"]) != "[http]" || fmt.Sprint(p["tags"]) != "[x y]" {
		t.Errorf("plugin = %s", r.raw)
	}
	// A malformed multipart body decodes to no arguments, as in Kong.
	check(t, e.req("POST", "/consumers", "garbage", "Content-Type", "multipart/form-data; boundary=zz"), 400,
		`{"code":2,"name":"schema violation","message":"schema violation (at least one of these fields must be non-empty: 'custom_id', 'username')","fields":{"@entity":["at least one of these fields must be non-empty: 'custom_id', 'username'"]}}`)
}

func TestFormEmptyStringIsNull(t *testing.T) {
	e := newEnv(t)
	e.must(201, "POST", "/services", map[string]any{"name": "s", "host": "x.com", "path": "/p"})
	r := e.form("PATCH", "/services/s", "path=")
	check(t, r, 200, skip)
	if v, ok := r.obj()["path"]; !ok || v != nil {
		t.Errorf("path = %v", v)
	}
	check(t, e.form("PATCH", "/services/s", "host="), 400,
		`{"code":2,"name":"schema violation","message":"schema violation (host: required field missing)","fields":{"host":"required field missing"}}`)
}

func TestRouting(t *testing.T) {
	e := newEnv(t)
	e.must(201, "POST", "/services", map[string]any{"name": "s", "host": "x.com"})
	tests := []struct {
		name         string
		method, path string
		status       int
		want         any
		header       map[string]string
	}{
		{"unknown path", "GET", "/nope", 404, `{"message":"Not found"}`, nil},
		{"unknown nested path", "GET", "/services/s/nope", 404, `{"message":"Not found"}`, nil},
		{"wrong method", "POST", "/", 405, `{"message":"Method not allowed"}`, nil},
		{"odd method", "GEEEET", "/", 405, `{"message":"Method not allowed"}`, nil},
		{"wrong method on entity", "POST", "/services/s", 405, `{"message":"Method not allowed"}`, nil},
		{"trailing slash", "GET", "/services/s/", 200, skip, nil},
		{"trailing slash on collection", "GET", "/services/", 200, skip, nil},
		{"trailing slash root", "GET", "/", 200, skip, nil},
		{"disabled targets", "GET", "/targets", 404, `{"message":"Not found"}`, nil},
		{"disabled targets post", "POST", "/targets", 404, `{"message":"Not found"}`, nil},
		{"disabled targets options", "OPTIONS", "/targets/x", 404, `{"message":"Not found"}`, nil},
		{"disabled sni certificate", "GET", "/snis/x/certificate", 404, `{"message":"Not found"}`, nil},
		{"options root", "OPTIONS", "/", 204, nil, map[string]string{
			"Allow": "GET, HEAD, OPTIONS", "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
			"Access-Control-Allow-Headers": "Content-Type", "Access-Control-Allow-Origin": "*"}},
		{"options collection", "OPTIONS", "/routes", 204, nil, map[string]string{
			"Allow": "GET, HEAD, OPTIONS, POST", "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS, POST"}},
		{"options entity", "OPTIONS", "/routes/test", 204, nil, map[string]string{
			"Allow": "DELETE, GET, HEAD, OPTIONS, PATCH, PUT"}},
		{"options trailing slash", "OPTIONS", "/routes/", 204, nil, map[string]string{
			"Allow": "GET, HEAD, OPTIONS, POST"}},
		{"main request headers", "GET", "/", 200, skip, map[string]string{
			"Server": "kong/3.9.1", "Content-Type": "application/json; charset=utf-8",
			"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "true",
			"Access-Control-Allow-Methods": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.req(tt.method, tt.path, nil)
			check(t, r, tt.status, tt.want)
			for k, v := range tt.header {
				if got := r.header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if r.header.Get("X-Kong-Admin-Latency") == "" {
				t.Errorf("no X-Kong-Admin-Latency")
			}
		})
	}
	t.Run("request headers echoed", func(t *testing.T) {
		r := e.req("OPTIONS", "/", nil, "Access-Control-Request-Headers", "X-Header-1,X-Header-2", "Origin", "http://example.com")
		if got := r.header.Get("Access-Control-Allow-Headers"); got != "X-Header-1,X-Header-2" {
			t.Errorf("allow headers = %q", got)
		}
		if got := r.header.Get("Access-Control-Allow-Origin"); got != "http://example.com" {
			t.Errorf("allow origin = %q", got)
		}
		r = e.req("GET", "/", nil, "Access-Control-Request-Headers", "X-A", "Access-Control-Request-Method", "PATCH")
		if r.header.Get("Access-Control-Allow-Headers") != "" || r.header.Get("Access-Control-Allow-Methods") != "" {
			t.Errorf("main request answered preflight headers: %v", r.header)
		}
	})
	t.Run("HEAD is GET without body", func(t *testing.T) {
		get := e.req("GET", "/services/s", nil)
		head := e.req("HEAD", "/services/s", nil)
		check(t, head, 200, nil)
		for _, k := range []string{"Content-Length", "Content-Type", "Server"} {
			if get.header.Get(k) != head.header.Get(k) {
				t.Errorf("%s: GET %q, HEAD %q", k, get.header.Get(k), head.header.Get(k))
			}
		}
	})
}

func TestCORSWithAdminGUI(t *testing.T) {
	e := newEnv(t, func(o *admin.Options) {
		o.AdminGUIURLs = []string{"http://admin.api:9100/path/to/any/way", "https://other:1"}
	})
	for origin, want := range map[string]string{
		"":                      "http://admin.api:9100",
		"http://example.com":    "http://admin.api:9100",
		"https://other:1":       "https://other:1",
		"http://admin.api:9100": "http://admin.api:9100",
	} {
		var hdr []string
		if origin != "" {
			hdr = []string{"Origin", origin}
		}
		r := e.req("GET", "/", nil, hdr...)
		if got := r.header.Get("Access-Control-Allow-Origin"); got != want {
			t.Errorf("Origin %q: allow origin %q, want %q", origin, got, want)
		}
	}
}

func TestHeadersDisabled(t *testing.T) {
	e := newEnv(t, func(o *admin.Options) { o.Headers = admin.Headers{} })
	r := e.req("GET", "/", nil)
	if r.header.Get("Server") != "" || r.header.Get("X-Kong-Admin-Latency") != "" {
		t.Errorf("headers sent: %v", r.header)
	}
}

// failingBackend is a store whose every transaction fails.
type failingBackend struct{}

func (failingBackend) Update(context.Context, func(store.Tx) error) error {
	return errors.New("connection refused")
}
func (failingBackend) View(context.Context, func(store.Tx) error) error {
	return errors.New("connection refused")
}
func (failingBackend) Close() error { return nil }

func TestUnexpectedErrors(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	var panicking atomic.Bool
	e := newEnv(t, func(o *admin.Options) { o.Logger = logger })
	broken := store.New(failingBackend{}, e.catalog)
	e2 := newEnv(t, func(o *admin.Options) {
		o.Logger = logger
		o.Catalog = e.catalog
		o.DB = func() *store.DB {
			if panicking.Load() {
				panic("boom")
			}
			return broken
		}
	})
	for _, tc := range []struct{ method, path string }{
		{"GET", "/services"}, {"POST", "/services"}, {"GET", "/services/x"}, {"DELETE", "/services/x"},
		{"PATCH", "/services/x"}, {"GET", "/tags"},
	} {
		r := e2.req(tc.method, tc.path, nil)
		check(t, r, 500, `{"message":"An unexpected error occurred"}`)
	}
	check(t, e2.req("GET", "/", nil), 500, `{"message":"An unexpected error happened"}`)
	if !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("cause not logged: %s", logs.String())
	}
	st := e2.must(200, "GET", "/status", nil)
	if st["database"].(map[string]any)["reachable"] != false {
		t.Errorf("status = %v", st)
	}
	panicking.Store(true)
	check(t, e2.req("GET", "/services", nil), 500, `{"message":"An unexpected error occurred"}`)
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("panic not logged")
	}
}
