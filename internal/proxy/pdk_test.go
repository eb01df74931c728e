package proxy_test

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/proxy"
)

// TestPDK reads what plugins see of a request through the phase seam.
func TestPDK(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	logged := make(chan struct{})
	rec := &recorder{
		access: func(s *proxy.State) {
			rq, c, sr := s.Request(), s.Client(), s.ServiceRequest()
			caps := rq.URICaptures()
			named, _ := caps.Named("rest")
			n, known := rq.ContentLength()
			for k, v := range map[string]any{
				"method": rq.Method(), "scheme": rq.Scheme(), "host": rq.Host(), "port": rq.Port(),
				"version": rq.HTTPVersion(), "raw_path": rq.RawPath(), "path": rq.Path(), "query": rq.RawQuery(),
				"header": rq.Header("X-Test") + " " + rq.Header("host"), "headers": strings.Join(rq.Headers().Values("X-Multi"), "|"),
				"length": fmt.Sprint(n, known), "capture": named,
				"fwd":     strings.Join([]string{rq.ForwardedScheme(), rq.ForwardedHost(), rq.ForwardedPort(), rq.ForwardedPath(), rq.ForwardedPrefix()}, " "),
				"client":  fmt.Sprint(c.IP(), " ", c.ForwardedIP(), " ", c.Addr().Addr(), " ", c.ForwardedAddr(), " ", c.Trusted(), " ", c.Port() > 0),
				"service": strings.Join([]string{sr.Scheme(), sr.Method(), sr.Path(), sr.RawQuery(), sr.Header("Host"), sr.Header("X-Forwarded-Proto")}, " "),
				"start":   fmt.Sprint(!s.Timings().Start().IsZero()),
			} {
				seen[k] = fmt.Sprint(v)
			}
			sr.SetMethod("PUT")
			sr.AddHeader("X-Multi-Up", "1")
			sr.AddHeader("X-Multi-Up", "2")
			sr.AddHeader("Host", "added.test")
			seen["up_headers"] = strings.Join(sr.Headers().Values("X-Multi-Up"), "|")
		},
		headerFilter: func(s *proxy.State) {
			r := s.Response()
			seen["status"] = fmt.Sprint(r.Status())
			r.SetStatus(201)
			r.Header().Add("X-Added", "a")
			seen["resp_header"] = r.Header().Get("Content-Type") + " " + fmt.Sprint(len(r.Header().Values("X-Added")))
		},
		log: func(s *proxy.State) {
			seen["latencies"] = fmt.Sprint(s.Timings().ProxyLatency() >= 0, s.Timings().UpstreamLatency() >= 0)
			close(logged) // the log phase runs after the response went out
		},
	}
	e := newEnv(t, withPlugins(rec), func(o *proxy.Options) {
		o.TrustedIPs = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	up := newEcho(t, "up")
	e.route(e.service(up.URL+"/base", nil), map[string]any{"paths": []any{`~/cap/(?<rest>\w+)`}})
	res, body := e.do(request{method: "POST", path: "/cap/abc/../def?x=1&y", host: "Example.TEST:1234", body: "hello",
		header: map[string][]string{"X-Test": {"t"}, "X-Multi": {"1", "2"}, "X-Real-Ip": {"10.1.2.3"}}})
	if res.StatusCode != 201 {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	got := decodeEcho(t, body)
	<-logged
	want := map[string]string{
		"method": "POST", "scheme": "http", "host": "example.test", "port": e.proxyPort(), "version": "1.1",
		"raw_path": "/cap/abc/../def", "path": "/cap/def", "query": "x=1&y", "header": "t Example.TEST:1234", "headers": "1|2",
		"length": "5 true", "capture": "def",
		"fwd":         "http example.test " + e.proxyPort() + " /cap/abc/../def /cap/def",
		"client":      "127.0.0.1 10.1.2.3 127.0.0.1 10.1.2.3 true true",
		"service":     "http POST /base x=1&y  http",
		"start":       "true",
		"up_headers":  "1|2",
		"status":      "200",
		"resp_header": "application/json 1",
		"latencies":   "true true",
	}
	for k, v := range want {
		if seen[k] != v {
			t.Errorf("%s = %q, want %q", k, seen[k], v)
		}
	}
	if got.Method != "PUT" || got.Host != "added.test" || got.URI != "/base?x=1&y" {
		t.Errorf("upstream got %s %s %s", got.Method, got.Host, got.URI)
	}
}

// TestPluginStateAndUnexpected checks the seam's own methods: a per-request
// value that starts nil, the snapshot, and Kong's 500 for a plugin error.
func TestPluginStateAndUnexpected(t *testing.T) {
	t.Parallel()
	var sawNil, sawSnap bool
	rec := &recorder{
		rewrite: func(s *proxy.State) {
			sawNil = s.PluginState() == nil
			sawSnap = s.Snapshot() != nil
			s.SetPluginState(1)
		},
		access: func(s *proxy.State) {
			if s.PluginState() == 1 {
				s.Unexpected()
			}
		},
		headerFilter: func(s *proxy.State) {
			s.Response().Header().Set("X-Source", s.Response().Source())
		},
	}
	e := newEnv(t, func(o *proxy.Options) { o.Plugins = rec })
	up := newEcho(t, "a")
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})
	res, body := e.do(request{path: "/"})
	rec.take()
	if res.StatusCode != 500 || !strings.Contains(body, "An unexpected error occurred") ||
		res.Header.Get("X-Source") != proxy.SourceError || !sawNil || !sawSnap || up.count.Load() != 0 {
		t.Errorf("got %d %q source %q nil %v snap %v upstream %d", res.StatusCode, body,
			res.Header.Get("X-Source"), sawNil, sawSnap, up.count.Load())
	}
}
