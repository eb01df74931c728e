package proxy_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/proxy"
)

// recorder is a Plugins whose phases are set per test; it records the
// phases it ran.
type recorder struct {
	mu     sync.Mutex
	phases []string

	rewrite, access, headerFilter func(*proxy.State)
	bodyFilter                    func(s *proxy.State, chunk []byte, eof bool) []byte
	log                           func(*proxy.State)
}

func (r *recorder) note(p string) {
	r.mu.Lock()
	r.phases = append(r.phases, p)
	r.mu.Unlock()
}

// take returns the phases run so far, once the log phase ran (the client
// may have the response before it does).
func (r *recorder) take() string {
	deadline := time.Now().Add(5 * time.Second)
	for {
		r.mu.Lock()
		s := strings.Join(r.phases, ",")
		if strings.HasSuffix(s, "log") || time.Now().After(deadline) {
			r.phases = nil
			r.mu.Unlock()
			return s
		}
		r.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
}

func (r *recorder) Rewrite(s *proxy.State) {
	r.note("rewrite")
	if r.rewrite != nil {
		r.rewrite(s)
	}
}

func (r *recorder) Access(s *proxy.State) {
	r.note("access")
	if r.access != nil {
		r.access(s)
	}
}

func (r *recorder) HeaderFilter(s *proxy.State) {
	r.note("header_filter")
	if r.headerFilter != nil {
		r.headerFilter(s)
	}
}

func (r *recorder) BodyFilter(s *proxy.State, chunk []byte, eof bool) []byte {
	if eof {
		r.note("body_filter(eof)")
	}
	if r.bodyFilter != nil {
		return r.bodyFilter(s, chunk, eof)
	}
	return chunk
}

func (r *recorder) Log(s *proxy.State) {
	if r.log != nil {
		r.log(s)
	}
	r.note("log") // last: take waits for it
}

func withPlugins(r *recorder) func(*proxy.Options) {
	return func(o *proxy.Options) { o.Plugins = r }
}

// TestPhases checks the phase order and Kong's short-circuit rules.
func TestPhases(t *testing.T) {
	t.Parallel()
	up := newEcho(t, "up")

	t.Run("proxied request", func(t *testing.T) {
		t.Parallel()
		var logged string
		rec := &recorder{
			access: func(s *proxy.State) {
				sr := s.ServiceRequest()
				sr.SetHeader("X-Added", "yes")
				sr.ClearHeader("X-Remove")
				sr.SetPath("/rewritten")
				sr.SetRawQuery("a=b")
				sr.SetHeader("Host", "set.test")
				s.Ctx()["k"] = "v"
			},
			headerFilter: func(s *proxy.State) {
				s.Response().Header().Set("X-Filtered", s.Response().Source())
				s.Response().Header().Del("Content-Length")
			},
			bodyFilter: func(_ *proxy.State, chunk []byte, eof bool) []byte {
				if eof {
					return []byte("<end>")
				}
				return bytes.ReplaceAll(chunk, []byte(`"id":"up"`), []byte(`"id":"filtered"`))
			},
			log: func(s *proxy.State) {
				logged = strings.Join([]string{s.Route().ID, s.Service().ID, s.Request().Method(), s.Request().Path(),
					s.Client().IP(), s.Ctx()["k"].(string), s.RequestID()}, " ")
				if len(s.Tries()) != 1 || s.Tries()[0].Failure != "" {
					t.Errorf("tries %+v", s.Tries())
				}
			},
		}
		e := newEnv(t, withPlugins(rec))
		svc := e.service(up.URL, nil)
		route := e.route(svc, map[string]any{"paths": []any{"/p"}})
		res, body := e.do(request{path: "/p/x", header: map[string][]string{"X-Remove": {"1"}}})
		if got := rec.take(); got != "rewrite,access,header_filter,body_filter(eof),log" {
			t.Errorf("phases %s", got)
		}
		if !strings.HasSuffix(body, "<end>") || res.Header.Get("X-Filtered") != proxy.SourceService {
			t.Fatalf("%d %v %q", res.StatusCode, res.Header, body)
		}
		got := decodeEcho(t, strings.TrimSuffix(body, "<end>"))
		if got.ID != "filtered" || got.URI != "/rewritten?a=b" || got.Host != "set.test" ||
			got.Headers.Get("X-Added") != "yes" || got.Headers.Get("X-Remove") != "" {
			t.Errorf("upstream got %+v", got)
		}
		want := route + " " + svc + " GET /p/x 127.0.0.1 v " + res.Header.Get("X-Kong-Request-Id")
		if logged != want {
			t.Errorf("log saw %q, want %q", logged, want)
		}
	})
	t.Run("exit in access", func(t *testing.T) {
		t.Parallel()
		rec := &recorder{access: func(s *proxy.State) {
			s.Exit(403, []byte("denied"), proxy.Header{Name: "X-Why", Value: "test"})
		}}
		e := newEnv(t, withPlugins(rec))
		up := newEcho(t, "never")
		e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})
		res, body := e.do(request{path: "/"})
		if res.StatusCode != 403 || body != "denied" || res.Header.Get("X-Why") != "test" || res.Header.Get("Server") != "kong/3.9.1" {
			t.Errorf("%d %q %v", res.StatusCode, body, res.Header)
		}
		if got := rec.take(); got != "rewrite,access,header_filter,body_filter(eof),log" {
			t.Errorf("phases %s", got)
		}
		if up.count.Load() != 0 {
			t.Error("the upstream was reached")
		}
	})
	t.Run("error in rewrite skips access", func(t *testing.T) {
		t.Parallel()
		rec := &recorder{rewrite: func(s *proxy.State) { s.Error(429, "") }}
		e := newEnv(t, withPlugins(rec))
		res, body := e.do(request{path: "/"})
		if res.StatusCode != 429 || !strings.Contains(body, `"message":"Too many requests"`) {
			t.Errorf("%d %q", res.StatusCode, body)
		}
		if got := rec.take(); got != "rewrite,header_filter,body_filter(eof),log" {
			t.Errorf("phases %s", got)
		}
	})
	t.Run("error with its own Content-Type", func(t *testing.T) {
		t.Parallel()
		rec := &recorder{access: func(s *proxy.State) {
			s.Error(401, "Unauthorized", proxy.Header{Name: "Content-Type", Value: "text/plain"})
		}}
		e := newEnv(t, withPlugins(rec))
		e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})
		res, body := e.do(request{path: "/", header: map[string][]string{"Accept": {"text/html"}}})
		if res.StatusCode != 401 || res.Header.Get("Content-Type") != "text/plain" ||
			body != errorBody("plain", "Unauthorized", res.Header.Get("X-Kong-Request-Id")) {
			t.Errorf("%d %v %q", res.StatusCode, res.Header, body)
		}
	})
	t.Run("no route still runs header_filter and log", func(t *testing.T) {
		t.Parallel()
		rec := &recorder{}
		e := newEnv(t, withPlugins(rec))
		if res, _ := e.do(request{path: "/"}); res.StatusCode != 404 {
			t.Errorf("status %d", res.StatusCode)
		}
		if got := rec.take(); got != "rewrite,header_filter,body_filter(eof),log" {
			t.Errorf("phases %s", got)
		}
	})
}

// TestPanic: a panic in the request path answers Kong's 500 for that
// request only; after the response started it aborts the connection.
func TestPanic(t *testing.T) {
	t.Parallel()
	up := newEcho(t, "up")
	rec := &recorder{
		access: func(s *proxy.State) {
			if s.Request().Header("X-Panic") == "access" {
				panic("boom")
			}
		},
		bodyFilter: func(s *proxy.State, chunk []byte, eof bool) []byte {
			if s.Request().Header("X-Panic") == "body" {
				panic("boom")
			}
			return chunk
		},
	}
	e := newEnv(t, withPlugins(rec))
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})

	res, body := e.do(request{path: "/", header: map[string][]string{"X-Panic": {"access"}}})
	want := errorBody("json", "An unexpected error occurred", res.Header.Get("X-Kong-Request-Id"))
	if res.StatusCode != 500 || body != want {
		t.Errorf("%d %q", res.StatusCode, body)
	}
	if _, err := e.client.Get(e.srv.URL + "/"); err != nil {
		t.Fatal(err)
	}
	req := request{path: "/", header: map[string][]string{"X-Panic": {"body"}}}
	r, _ := newHTTPRequest(e, req)
	if res, err := e.client.Do(r); err == nil {
		_, err = readBody(res)
		if err == nil {
			t.Errorf("a panic after the response started must abort it, got %d", res.StatusCode)
		}
	}
	if res, _ := e.do(request{path: "/"}); res.StatusCode != 200 {
		t.Errorf("after panics: %d", res.StatusCode)
	}
}

// TestInvalidServiceRequest: what a plugin sets cannot split the request
// sent upstream.
func TestInvalidServiceRequest(t *testing.T) {
	t.Parallel()
	up := newEcho(t, "up")
	rec := &recorder{access: func(s *proxy.State) {
		sr := s.ServiceRequest()
		switch s.Request().Header("X-Case") {
		case "path":
			sr.SetPath("/a b\r\nX-Evil: 1")
			sr.SetRawQuery("q=1 2")
		case "method":
			sr.SetMethod("GET /x")
		case "host":
			sr.SetHeader("Host", "a\r\nX-Evil: 1")
		case "header":
			sr.SetHeader("X-Bad", "v\r\nX-Evil: 1")
		}
	}}
	e := newEnv(t, withPlugins(rec))
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})
	for c, want := range map[string]int{"path": 200, "method": 500, "host": 500, "header": 200} {
		res, body := e.do(request{path: "/", header: map[string][]string{"X-Case": {c}}})
		if res.StatusCode != want {
			t.Errorf("%s: %d %s", c, res.StatusCode, body)
			continue
		}
		if want != 200 {
			continue
		}
		got := decodeEcho(t, body)
		if got.Headers.Get("X-Evil") != "" || got.Headers.Get("X-Bad") != "" {
			t.Errorf("%s: injected headers reached the upstream: %v", c, got.Headers)
		}
		if c == "path" && got.URI != "/a%20b%0D%0AX-Evil:%201?q=1%202" {
			t.Errorf("path: upstream got %q", got.URI)
		}
	}
}
