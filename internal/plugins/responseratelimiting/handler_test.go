package responseratelimiting_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/keyauth"
	_ "github.com/silverback-gw/silverback/internal/plugins/responseratelimiting"
)

var loaded = []string{"response-ratelimiting", "key-auth"}

// upstream answers "hello" with the x-kong-limit headers its query names
// (/?limit=video=1&limit=image=2), as the spec's /response-headers.
func upstream(t *testing.T) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, v := range r.URL.Query()["limit"] {
			w.Header().Add("X-Kong-Limit", v)
		}
		_, _ = w.Write([]byte("hello"))
	}))
	t.Cleanup(s.Close)
	return s
}

// routed starts a gateway with a route on "/" to upstream carrying
// response-ratelimiting with config.
func routed(t *testing.T, config string) (*plugintest.Env, string) {
	t.Helper()
	e := plugintest.New(t, loaded)
	svc := e.Insert("services", `{"url":"`+upstream(t).URL+`"}`)
	route := e.Route(svc, "/")
	e.Plugin("response-ratelimiting", plugintest.On("route", route), config)
	return e, route
}

func spend(limits ...string) string {
	q := url.Values{"limit": limits}
	return "/?" + q.Encode()
}

// remaining waits until the usage the log phase writes shows: a request
// spending nothing reports what is left of name in
// X-RateLimit-Remaining-<name>.
func remaining(t *testing.T, e *plugintest.Env, name, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		res, _ := e.Get("/")
		got := res.Header.Get("X-RateLimit-Remaining-" + name)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("X-RateLimit-Remaining-%s is %q, want %q", name, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestLimit: the upstream spends units through x-kong-limit (removed from
// the response); once a limit is spent, a response spending more of it
// becomes a 429 without body, which does not count.
func TestLimit(t *testing.T) {
	e, _ := routed(t, `{"limit_by":"ip","limits":{"video":{"hour":3,"day":10}}}`)
	for i := range 3 {
		res, body := e.Get(spend("video=1"))
		want := map[string]string{
			"X-Ratelimit-Remaining-Video":  fmt.Sprint(3 - i), // before this response
			"X-Ratelimit-Limit-Video-Hour": "3", "X-Ratelimit-Remaining-Video-Hour": fmt.Sprint(2 - i),
			"X-Ratelimit-Limit-Video-Day": "10", "X-Ratelimit-Remaining-Video-Day": fmt.Sprint(9 - i),
		}
		if res.StatusCode != 200 || body != "hello" || res.Header.Get("X-Kong-Limit") != "" {
			t.Fatalf("response %d: %d %q %v", i, res.StatusCode, body, res.Header)
		}
		for k, v := range want {
			if got := res.Header.Get(k); got != v {
				t.Errorf("response %d: %s = %q, want %q", i, k, got, v)
			}
		}
		remaining(t, e, "video", fmt.Sprint(2-i))
	}
	// the headers count the refused response's units, as Kong's do
	res, body := e.Get(spend("video=1"))
	if res.StatusCode != 429 || body != "" || res.Header.Get("X-RateLimit-Remaining-Video-Hour") != "0" ||
		res.Header.Get("X-RateLimit-Remaining-Video-Day") != "6" {
		t.Errorf("over the limit: %d %q %v", res.StatusCode, body, res.Header)
	}
	// a response spending nothing passes, and the refusal did not count
	res, body = e.Get("/")
	if res.StatusCode != 200 || body != "hello" || res.Header.Get("X-RateLimit-Remaining-Video-Day") != "7" {
		t.Errorf("spending nothing: %d %q %v", res.StatusCode, body, res.Header)
	}
}

// TestMultipleLimits: several limits in one header, unknown names and
// malformed parts ignored; only the first x-kong-limit header counts, as
// kong.service.response.get_header reads it.
func TestMultipleLimits(t *testing.T) {
	e, _ := routed(t, `{"limit_by":"ip","limits":{"video":{"hour":20,"day":40},"image":{"hour":10}}}`)
	res, _ := e.Get(spend("video=2, image=1, other=5, bad, image=x=1", "video=7"))
	for k, v := range map[string]string{
		"X-RateLimit-Remaining-Video-Hour": "18", "X-RateLimit-Remaining-Video-Day": "38",
		"X-RateLimit-Remaining-Image-Hour": "9", "X-RateLimit-Limit-Image-Hour": "10",
	} {
		if got := res.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	remaining(t, e, "video", "18")
	remaining(t, e, "image", "9")
}

// TestBlockOnFirstViolation: a spent limit refuses the request before the
// upstream sees it, naming the limit.
func TestBlockOnFirstViolation(t *testing.T) {
	e, _ := routed(t, `{"limit_by":"ip","block_on_first_violation":true,"limits":{"video":{"hour":10},"image":{"hour":4}}}`)
	if res, _ := e.Get(spend("video=2, image=4")); res.StatusCode != 200 {
		t.Fatalf("first: %d", res.StatusCode)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		res, body := e.Do(plugintest.Request{Path: spend("video=2"), Header: http.Header{"Accept": {"application/json"}}})
		if res.StatusCode == 429 {
			var msg struct{ Message string }
			_ = json.Unmarshal([]byte(body), &msg)
			if msg.Message != "API rate limit exceeded for 'image'" {
				t.Errorf("refusal %q", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("never refused")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestHideClientHeaders: no per-period headers; Kong 3.9 still sends the
// X-RateLimit-Remaining-<name> of access.
func TestHideClientHeaders(t *testing.T) {
	e, _ := routed(t, `{"hide_client_headers":true,"limits":{"video":{"hour":10}}}`)
	res, _ := e.Get(spend("video=1"))
	if res.StatusCode != 200 || res.Header.Get("X-RateLimit-Limit-Video-Hour") != "" || res.Header.Get("X-RateLimit-Remaining-Video-Hour") != "" ||
		res.Header.Get("X-RateLimit-Remaining-Video") != "10" {
		t.Errorf("%d %v", res.StatusCode, res.Header)
	}
}

// TestByConsumer: limits are kept per consumer, here authenticated by
// key-auth (which runs first).
func TestByConsumer(t *testing.T) {
	e, route := routed(t, `{"limits":{"video":{"hour":1}}}`)
	e.Plugin("key-auth", plugintest.On("route", route), "")
	for _, name := range []string{"alice", "bob"} {
		c := e.Insert("consumers", `{"username":"`+name+`"}`)
		e.Insert("keyauth_credentials", `{"consumer":{"id":"`+c+`"},"key":"k-`+name+`"}`)
	}
	key := func(k string) plugintest.Request {
		return plugintest.Request{Path: spend("video=1"), Header: http.Header{"Apikey": {k}}}
	}
	if res, _ := e.Do(key("k-alice")); res.StatusCode != 200 {
		t.Fatalf("alice: %d", res.StatusCode)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		res, _ := e.Do(plugintest.Request{Path: "/", Header: http.Header{"Apikey": {"k-alice"}}})
		if res.Header.Get("X-RateLimit-Remaining-Video") == "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("alice's usage never written")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if res, _ := e.Do(key("k-alice")); res.StatusCode != 429 {
		t.Errorf("alice over her limit: %d", res.StatusCode)
	}
	if res, _ := e.Do(key("k-bob")); res.StatusCode != 200 {
		t.Errorf("bob: %d", res.StatusCode)
	}
}

// TestFaultTolerant: a Redis that cannot be reached lets requests through
// without headers when fault_tolerant, and fails them with Kong's 500
// otherwise.
func TestFaultTolerant(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	for _, c := range []struct {
		tolerant bool
		want     int
	}{{true, 200}, {false, 500}} {
		e, _ := routed(t, fmt.Sprintf(`{"policy":"redis","fault_tolerant":%t,"redis":{"host":"127.0.0.1","port":%d},"limits":{"video":{"hour":1}}}`, c.tolerant, port))
		res, body := e.Get(spend("video=1"))
		if res.StatusCode != c.want || strings.Contains(fmt.Sprint(res.Header), "Ratelimit") {
			t.Errorf("fault_tolerant %t: %d %v %s", c.tolerant, res.StatusCode, res.Header, body)
		}
		if !strings.Contains(e.Logs.String(), "failed to get usage") {
			t.Errorf("fault_tolerant %t: the failure was not logged", c.tolerant)
		}
	}
}
