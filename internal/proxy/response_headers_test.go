package proxy_test

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"

	"github.com/silverback-gw/silverback/internal/proxy"
)

// hopByHopUpstream answers /hop-by-hop like Kong's mock upstream: with
// hop-by-hop headers and a chunked body declaring a trailer.
func hopByHopUpstream(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		switch r.URL.Path {
		case "/hop-by-hop":
			h.Set("Connection", "X-Boo")
			h.Set("X-Boo", "remove-me")
			h.Set("Keep-Alive", "timeout=5")
			h.Set("Upgrade", "websocket")
			h.Set("Trailer", "Expires")
			h.Set("X-Accel-Buffering", "no")
			h.Set("X-Keep", "kept")
			w.WriteHeader(200)
			w.(http.Flusher).Flush()
			_, _ = w.Write([]byte("body"))
			h.Set("Expires", "Thu, 01 Dec 1994 16:00:00 GMT")
		case "/via":
			h.Set("Via", "2 nginx, HTTP/1.1 http_mock")
			h.Set("Server", "mock")
			_, _ = w.Write([]byte("ok"))
		case "/status":
			code, _ := strconv.Atoi(r.URL.Query().Get("code"))
			w.WriteHeader(code)
			_, _ = w.Write([]byte("upstream says " + r.URL.Query().Get("code")))
		default:
			_, _ = w.Write([]byte("ok"))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

var digits = regexp.MustCompile(`^[0-9]+$`)

func TestResponseHeaders(t *testing.T) {
	t.Parallel()
	up := hopByHopUpstream(t)

	t.Run("hop-by-hop headers are removed", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})
		res, body := e.do(request{path: "/hop-by-hop"})
		if body != "body" {
			t.Errorf("body %q", body)
		}
		if len(res.Trailer) != 0 {
			t.Errorf("Trailer declares %v, want none", res.Trailer)
		}
		for _, name := range []string{"X-Boo", "Keep-Alive", "Upgrade", "X-Accel-Buffering"} {
			if v, ok := res.Header[name]; ok {
				t.Errorf("%s = %q, want absent", name, v)
			}
		}
		if res.Header.Get("X-Keep") != "kept" {
			t.Errorf("X-Keep = %q", res.Header.Get("X-Keep"))
		}
		if len(res.TransferEncoding) != 1 || res.TransferEncoding[0] != "chunked" {
			t.Errorf("Transfer-Encoding = %v, want chunked", res.TransferEncoding)
		}
	})
	t.Run("Trailer is kept when the client asks for trailers", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})
		res, _ := e.do(request{path: "/hop-by-hop", header: http.Header{"Te": {"trailers"}}})
		// net/http moves the Trailer header into Response.Trailer.
		if _, ok := res.Trailer["Expires"]; !ok || len(res.Trailer) != 1 {
			t.Errorf("Trailer declares %v, want Expires", res.Trailer)
		}
	})
	t.Run("Via is appended, upstream Server kept", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})
		res, _ := e.do(request{path: "/via"})
		if v := res.Header.Get("Via"); v != "2 nginx, HTTP/1.1 http_mock, 1.1 kong/3.9.1" {
			t.Errorf("Via = %q", v)
		}
		if v := res.Header.Get("Server"); v != "mock" {
			t.Errorf("Server = %q", v)
		}
	})
	t.Run("default headers", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})
		res, _ := e.do(request{path: "/"})
		want := map[string]*regexp.Regexp{
			"Server":                  regexp.MustCompile(`^kong/3\.9\.1$`),
			"Via":                     regexp.MustCompile(`^1\.1 kong/3\.9\.1$`),
			"X-Kong-Upstream-Latency": digits,
			"X-Kong-Proxy-Latency":    digits,
			"X-Kong-Request-Id":       hexID,
		}
		for name, re := range want {
			if v := res.Header.Get(name); !re.MatchString(v) {
				t.Errorf("%s = %q", name, v)
			}
		}
		for _, name := range []string{"X-Kong-Response-Latency", "X-Kong-Upstream-Status"} {
			if v, ok := res.Header[name]; ok {
				t.Errorf("%s = %q, want absent", name, v)
			}
		}
	})
	t.Run("upstream errors pass untouched, with X-Kong-Upstream-Status when enabled", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, func(o *proxy.Options) { o.Headers.UpstreamStatus = true })
		e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})
		res, body := e.do(request{path: "/status?code=503"})
		if res.StatusCode != 503 || body != "upstream says 503" {
			t.Errorf("got %d %q", res.StatusCode, body)
		}
		if v := res.Header.Get("X-Kong-Upstream-Status"); v != "503" {
			t.Errorf("X-Kong-Upstream-Status = %q", v)
		}
	})
	t.Run("headers off", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, func(o *proxy.Options) { o.Headers = proxy.Headers{} })
		e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})
		for _, path := range []string{"/", "/nowhere-else"} {
			res, _ := e.do(request{path: path})
			for name := range res.Header {
				switch name {
				case "Date", "Content-Length", "Content-Type":
				default:
					t.Errorf("%s: unexpected header %s: %q", path, name, res.Header[name])
				}
			}
		}
	})
	t.Run("gateway responses", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		res, _ := e.do(request{path: "/nothing"})
		if v := res.Header.Get("Server"); v != "kong/3.9.1" {
			t.Errorf("Server = %q", v)
		}
		if v := res.Header.Get("X-Kong-Response-Latency"); !digits.MatchString(v) {
			t.Errorf("X-Kong-Response-Latency = %q", v)
		}
		for _, name := range []string{"Via", "X-Kong-Proxy-Latency", "X-Kong-Upstream-Latency"} {
			if v, ok := res.Header[name]; ok {
				t.Errorf("%s = %q, want absent", name, v)
			}
		}
	})
}

// TestHTTP10Via: an HTTP/1.0 client is announced as "1" in Via, as Lua
// prints Kong's ngx.req.http_version().
func TestHTTP10Via(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	up := newEcho(t, "up")
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})
	conn := dialRaw(t, e)
	_, _ = conn.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got := decodeEcho(t, readAll(t, res.Body))
	if v := got.Headers.Get("Via"); v != "1 kong/3.9.1" {
		t.Errorf("Via = %q", v)
	}
	if v := got.Headers.Get("X-Forwarded-Host"); v != "kong" {
		t.Errorf("X-Forwarded-Host without Host = %q, want kong", v)
	}
}

// TestDebugHeaders: allow_debug_header and a Kong-Debug request header
// name the matched route and service.
func TestDebugHeaders(t *testing.T) {
	t.Parallel()
	up := newEcho(t, "up")
	for _, allow := range []bool{true, false} {
		e := newEnv(t, func(o *proxy.Options) { o.AllowDebugHeader = allow })
		svc := e.service(up.URL, map[string]any{"name": "svc"})
		route := e.route(svc, map[string]any{"paths": []any{"/"}, "name": "rt"})
		res, _ := e.do(request{path: "/", header: http.Header{"Kong-Debug": {"1"}}})
		got := res.Header.Get("Kong-Route-Id") + " " + res.Header.Get("Kong-Route-Name") + " " +
			res.Header.Get("Kong-Service-Id") + " " + res.Header.Get("Kong-Service-Name")
		want := "   "
		if allow {
			want = route + " rt " + svc + " svc"
		}
		if got != want {
			t.Errorf("allow_debug_header %v: %q, want %q", allow, got, want)
		}
	}
}
