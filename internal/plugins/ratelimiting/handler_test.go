package ratelimiting_test

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/keyauth"
	_ "github.com/silverback-gw/silverback/internal/plugins/ratelimiting"
	"github.com/silverback-gw/silverback/internal/proxy"
)

var loaded = []string{"rate-limiting", "key-auth"}

// routed starts a gateway with one route on "/" carrying rate-limiting
// with config, and returns it with the route's id.
func routed(t *testing.T, config string, opts ...func(*proxy.Options)) (*plugintest.Env, string) {
	t.Helper()
	e := plugintest.New(t, loaded, opts...)
	route := e.Route(e.Service(), "/")
	e.Plugin("rate-limiting", plugintest.On("route", route), config)
	return e, route
}

// headers picks the rate-limiting headers of a response.
func headers(res *http.Response) map[string]string {
	out := map[string]string{}
	for k := range res.Header {
		if strings.Contains(strings.ToLower(k), "ratelimit") || k == "Retry-After" {
			out[k] = res.Header.Get(k)
		}
	}
	return out
}

func status(t *testing.T, e *plugintest.Env, r plugintest.Request) int {
	t.Helper()
	res, _ := e.Do(r)
	return res.StatusCode
}

// TestLocalExact: N requests pass, the next is refused with Kong's body
// and headers, and refused requests do not count.
func TestLocalExact(t *testing.T) {
	e, _ := routed(t, `{"hour":3,"day":5,"limit_by":"ip"}`)
	for i := 1; i <= 3; i++ {
		res, body := e.Get("/")
		if res.StatusCode != 200 {
			t.Fatalf("request %d: %d %s", i, res.StatusCode, body)
		}
		h := headers(res)
		left := strconv.Itoa(3 - i)
		want := map[string]string{
			"X-Ratelimit-Limit-Hour": "3", "X-Ratelimit-Remaining-Hour": left,
			"X-Ratelimit-Limit-Day": "5", "X-Ratelimit-Remaining-Day": strconv.Itoa(5 - i),
			"Ratelimit-Limit": "3", "Ratelimit-Remaining": left,
		}
		for k, v := range want {
			if h[k] != v {
				t.Errorf("request %d: %s = %q, want %q (%v)", i, k, h[k], v, h)
			}
		}
		if reset, _ := strconv.Atoi(h["Ratelimit-Reset"]); reset < 1 || reset > 3600 {
			t.Errorf("request %d: RateLimit-Reset %q", i, h["Ratelimit-Reset"])
		}
		if _, ok := h["Retry-After"]; ok {
			t.Errorf("request %d: Retry-After on a success", i)
		}
	}
	for range 2 {
		res, body := e.Do(plugintest.Request{Path: "/", Header: http.Header{"Accept": {"application/json"}}})
		var msg struct{ Message string }
		_ = json.Unmarshal([]byte(body), &msg)
		if res.StatusCode != 429 || msg.Message != "API rate limit exceeded" {
			t.Fatalf("4th request: %d %s", res.StatusCode, body)
		}
		h := headers(res)
		want := map[string]string{
			"X-Ratelimit-Limit-Hour": "3", "X-Ratelimit-Remaining-Hour": "0",
			// the refused requests did not count
			"X-Ratelimit-Limit-Day": "5", "X-Ratelimit-Remaining-Day": "2",
			"Ratelimit-Limit": "3", "Ratelimit-Remaining": "0",
		}
		for k, v := range want {
			if h[k] != v {
				t.Errorf("refused: %s = %q, want %q", k, h[k], v)
			}
		}
		if h["Retry-After"] == "" || h["Retry-After"] != h["Ratelimit-Reset"] {
			t.Errorf("refused: Retry-After %q, RateLimit-Reset %q", h["Retry-After"], h["Ratelimit-Reset"])
		}
	}
	if n := e.Upstream.Count.Load(); n != 3 {
		t.Errorf("upstream saw %d requests, want 3", n)
	}
}

// TestLocalConcurrent: concurrent requests are counted exactly.
func TestLocalConcurrent(t *testing.T) {
	e, _ := routed(t, `{"day":20,"limit_by":"ip"}`)
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for range 60 {
		wg.Go(func() {
			req, _ := http.NewRequest("GET", e.Server.URL+"/", nil)
			res, err := e.Client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			mu.Lock()
			codes[res.StatusCode]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes[200] != 20 || codes[429] != 40 {
		t.Errorf("statuses %v, want 20 × 200 and 40 × 429", codes)
	}
	if n := e.Upstream.Count.Load(); n != 20 {
		t.Errorf("upstream saw %d requests, want 20", n)
	}
}

// TestIPNotSpoofable: X-Real-IP and X-Forwarded-For from an untrusted
// client change nothing; from a trusted one X-Real-IP (Kong's
// real_ip_header) is the client.
func TestIPNotSpoofable(t *testing.T) {
	e, _ := routed(t, `{"hour":1,"limit_by":"ip"}`)
	for i, want := range []int{200, 429, 429} {
		ip := "10.0.0." + strconv.Itoa(i)
		xff := http.Header{"X-Forwarded-For": {ip}, "X-Real-Ip": {ip}}
		if got := status(t, e, plugintest.Request{Path: "/", Header: xff}); got != want {
			t.Errorf("untrusted request %d: %d, want %d", i, got, want)
		}
	}
	trusted, _ := routed(t, `{"hour":1,"limit_by":"ip"}`, func(o *proxy.Options) {
		o.TrustedIPs = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	for i, c := range []struct {
		ip   string
		want int
	}{{"10.0.0.1", 200}, {"10.0.0.2", 200}, {"10.0.0.1", 429}} {
		if got := status(t, trusted, plugintest.Request{Path: "/", Header: http.Header{"X-Real-Ip": {c.ip}}}); got != c.want {
			t.Errorf("trusted request %d from %s: %d, want %d", i, c.ip, got, c.want)
		}
	}
}

type step struct {
	req  plugintest.Request
	want int
}

func get(path string, header ...string) plugintest.Request {
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return plugintest.Request{Path: path, Header: h}
}

// TestLimitBy: each limit_by keeps its own counters, and falls back to
// the client's address when its identifier is unknown.
func TestLimitBy(t *testing.T) {
	for _, c := range []struct {
		name, config string
		keyAuth      bool
		steps        []step
	}{
		{name: "ip", config: `{"hour":1,"limit_by":"ip"}`,
			steps: []step{{get("/a"), 200}, {get("/b", "X-App", "x"), 429}}},
		{name: "header", config: `{"hour":1,"limit_by":"header","header_name":"X-App"}`,
			steps: []step{{get("/", "X-App", "a"), 200}, {get("/", "X-App", "a"), 429}, {get("/", "X-App", "b"), 200},
				{get("/"), 200}, {get("/"), 429}}},
		{name: "path", config: `{"hour":1,"limit_by":"path","path":"/a"}`,
			steps: []step{{get("/a"), 200}, {get("/a"), 429}, {get("/b"), 200}, {get("/c"), 429}}},
		{name: "consumer", config: `{"hour":1,"limit_by":"consumer"}`, keyAuth: true,
			steps: []step{{get("/", "apikey", "a1"), 200}, {get("/", "apikey", "a2"), 429}, {get("/", "apikey", "b1"), 200}}},
		{name: "credential", config: `{"hour":1,"limit_by":"credential"}`, keyAuth: true,
			steps: []step{{get("/", "apikey", "a1"), 200}, {get("/", "apikey", "a2"), 200}, {get("/", "apikey", "a1"), 429}}},
		{name: "consumer without authentication", config: `{"hour":1,"limit_by":"consumer"}`,
			steps: []step{{get("/", "apikey", "a1"), 200}, {get("/", "apikey", "b1"), 429}}},
		{name: "default", config: `{"hour":1}`,
			steps: []step{{get("/"), 200}, {get("/"), 429}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, route := routed(t, c.config)
			if c.keyAuth {
				e.Plugin("key-auth", plugintest.On("route", route), "")
				alice := e.Insert("consumers", `{"username":"alice"}`)
				bob := e.Insert("consumers", `{"username":"bob"}`)
				for key, consumer := range map[string]string{"a1": alice, "a2": alice, "b1": bob} {
					e.Insert("keyauth_credentials", `{"consumer":{"id":"`+consumer+`"},"key":"`+key+`"}`)
				}
			}
			for i, s := range c.steps {
				if got := status(t, e, s.req); got != s.want {
					t.Errorf("step %d %s %v: %d, want %d", i, s.req.Path, s.req.Header, got, s.want)
				}
			}
		})
	}
}

// TestHideClientHeaders: neither a success nor a refusal carries the
// headers.
func TestHideClientHeaders(t *testing.T) {
	e, _ := routed(t, `{"hour":1,"hide_client_headers":true}`)
	for _, want := range []int{200, 429} {
		res, _ := e.Get("/")
		if res.StatusCode != want || len(headers(res)) != 0 {
			t.Errorf("%d (want %d) with headers %v", res.StatusCode, want, headers(res))
		}
	}
}

// TestConsumerScoped: a configuration on a consumer applies once key-auth
// (priority 1250, before rate-limiting's 910) authenticated the request;
// other consumers get the route's.
func TestConsumerScoped(t *testing.T) {
	e, route := routed(t, `{"hour":3,"limit_by":"consumer"}`)
	e.Plugin("key-auth", plugintest.On("route", route), "")
	alice := e.Insert("consumers", `{"username":"alice"}`)
	bob := e.Insert("consumers", `{"username":"bob"}`)
	e.Insert("keyauth_credentials", `{"consumer":{"id":"`+alice+`"},"key":"ka"}`)
	e.Insert("keyauth_credentials", `{"consumer":{"id":"`+bob+`"},"key":"kb"}`)
	e.Plugin("rate-limiting", plugintest.On("consumer", alice), `{"hour":1}`)
	for i, s := range []step{
		{get("/", "apikey", "ka"), 200}, {get("/", "apikey", "ka"), 429},
		{get("/", "apikey", "kb"), 200}, {get("/", "apikey", "kb"), 200}, {get("/", "apikey", "kb"), 200}, {get("/", "apikey", "kb"), 429},
		{get("/"), 401},
	} {
		res, body := e.Do(s.req)
		if res.StatusCode != s.want {
			t.Errorf("step %d %v: %d %s, want %d", i, s.req.Header, res.StatusCode, body, s.want)
		}
		if s.want != 401 && res.Header.Get("X-RateLimit-Limit-Hour") == "" {
			t.Errorf("step %d: no rate-limiting headers", i)
		}
	}
	res, _ := e.Do(get("/", "apikey", "ka"))
	if got := res.Header.Get("X-RateLimit-Limit-Hour"); got != "1" {
		t.Errorf("alice's limit header %q, want her own configuration's 1", got)
	}
}

// TestScopeOfInstance: counters belong to the instance's own scope, as
// Kong keys them by conf.service_id and conf.route_id: a service's
// instance counts across the service's routes, a global one across every
// route.
func TestScopeOfInstance(t *testing.T) {
	for _, scope := range []string{"service", "global"} {
		e := plugintest.New(t, loaded)
		svc := e.Service()
		e.Route(svc, "/a")
		e.Route(svc, "/b")
		on := ""
		if scope == "service" {
			on = plugintest.On("service", svc)
		}
		e.Plugin("rate-limiting", on, `{"hour":3,"limit_by":"ip"}`)
		for i, path := range []string{"/a", "/b", "/a"} {
			if got := status(t, e, get(path)); got != 200 {
				t.Fatalf("%s: request %d on %s: %d", scope, i+1, path, got)
			}
		}
		if got := status(t, e, get("/b")); got != 429 {
			t.Errorf("%s: fourth request across routes: %d, want 429", scope, got)
		}
	}
}
