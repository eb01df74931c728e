package proxy_test

import (
	"net/netip"
	"regexp"
	"testing"

	"github.com/silverback-gw/silverback/internal/proxy"
)

// absent marks a header that must not reach the upstream.
const absent = "<absent>"

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// TestUpstreamHeaders checks the headers Kong sets, replaces and removes
// on the way upstream (spec/02-integration/05-proxy/03-upstream_headers).
func TestUpstreamHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	up := newEcho(t, "up")
	svc := e.service(up.URL, nil)
	e.route(svc, map[string]any{"hosts": []any{"headers-inspect.test"}})
	e.route(svc, map[string]any{"hosts": []any{"preserved.test"}, "preserve_host": true})
	e.route(svc, map[string]any{"paths": []any{"/foo"}})
	e.route(svc, map[string]any{"paths": []any{"/nostrip"}, "strip_path": false})
	upHost := up.Listener.Addr().String()
	port := e.proxyPort()

	tests := []struct {
		name   string
		path   string
		host   string
		header map[string]string
		want   map[string]string
	}{
		{
			name: "defaults",
			host: "headers-inspect.test",
			want: map[string]string{
				"Host":               upHost,
				"X-Real-Ip":          "127.0.0.1",
				"X-Forwarded-For":    "127.0.0.1",
				"X-Forwarded-Proto":  "http",
				"X-Forwarded-Host":   "headers-inspect.test",
				"X-Forwarded-Port":   port,
				"X-Forwarded-Path":   "/",
				"X-Forwarded-Prefix": absent,
				"Via":                "1.1 kong/3.9.1",
				"Connection":         "keep-alive",
				"Upgrade":            absent,
				"Te":                 absent,
			},
		},
		{
			name: "untrusted client forwarding headers are replaced, X-Forwarded-For appended",
			host: "headers-inspect.test",
			header: map[string]string{
				"X-Real-IP":          "10.0.0.1",
				"X-Forwarded-For":    "10.0.0.1",
				"X-Forwarded-Proto":  "https",
				"X-Forwarded-Host":   "example.test",
				"X-Forwarded-Port":   "80",
				"X-Forwarded-Path":   "/original-path",
				"X-Forwarded-Prefix": "/preserved",
			},
			want: map[string]string{
				"X-Real-Ip":          "127.0.0.1",
				"X-Forwarded-For":    "10.0.0.1, 127.0.0.1",
				"X-Forwarded-Proto":  "http",
				"X-Forwarded-Host":   "headers-inspect.test",
				"X-Forwarded-Port":   port,
				"X-Forwarded-Path":   "/",
				"X-Forwarded-Prefix": absent,
			},
		},
		{
			name: "X-Forwarded-Host is lower-cased without port",
			path: "/foo",
			host: "HEADERS-inspect.test:1234",
			want: map[string]string{"X-Forwarded-Host": "headers-inspect.test", "X-Forwarded-Port": port},
		},
		{
			name: "preserve_host sends the client's Host",
			host: "preserved.test",
			header: map[string]string{
				"X-Forwarded-For": "10.0.0.1",
			},
			want: map[string]string{
				"Host":             "preserved.test",
				"X-Forwarded-For":  "10.0.0.1, 127.0.0.1",
				"X-Forwarded-Host": "preserved.test",
			},
		},
		{
			name: "stripped prefix",
			path: "/foo/bar?x=1",
			want: map[string]string{"X-Forwarded-Prefix": "/foo", "X-Forwarded-Path": "/foo/bar"},
		},
		{
			name: "no prefix without strip_path",
			path: "/nostrip/bar",
			want: map[string]string{"X-Forwarded-Prefix": absent, "X-Forwarded-Path": "/nostrip/bar"},
		},
		{
			name: "X-Forwarded-Path is the raw path",
			path: "/foo/a/../b%20c",
			want: map[string]string{"X-Forwarded-Path": "/foo/a/../b%20c"},
		},
		{
			name: "hop-by-hop headers are removed",
			host: "headers-inspect.test",
			header: map[string]string{
				"Connection":          "X-Foo, X-Bar",
				"Keep-Alive":          "timeout=5, max=1000",
				"Proxy":               "Remove-Me",
				"Proxy-Connection":    "close",
				"Proxy-Authenticate":  "Basic",
				"Proxy-Authorization": "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
				"TE":                  "trailers, deflate;q=0.5",
				"Upgrade":             "example/1, foo/2",
				"X-Foo":               "Remove-Me",
				"X-Bar":               "Remove-Me",
				"X-Foo-Bar":           "Keep-Me",
				"Close":               "Keep-Me",
			},
			want: map[string]string{
				"Keep-Alive":          absent,
				"Proxy":               absent,
				"Proxy-Connection":    absent,
				"Upgrade":             absent,
				"X-Foo":               absent,
				"X-Bar":               absent,
				"Proxy-Authenticate":  "Basic",
				"Proxy-Authorization": "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
				"Te":                  "trailers",
				"X-Foo-Bar":           "Keep-Me",
				"Close":               "Keep-Me",
				"Connection":          "keep-alive",
			},
		},
		{
			name:   "headers named by a Connection of just keep-alive stay",
			host:   "headers-inspect.test",
			header: map[string]string{"Connection": "keep-alive", "Keep-Alive": "timeout=5"},
			want:   map[string]string{"Keep-Alive": absent, "Connection": "keep-alive"},
		},
		{
			name:   "TE without trailers is dropped",
			host:   "headers-inspect.test",
			header: map[string]string{"TE": "deflate"},
			want:   map[string]string{"Te": absent},
		},
		{
			name:   "websocket upgrade headers are kept",
			host:   "headers-inspect.test",
			header: map[string]string{"Connection": "keep-alive, Upgrade", "Upgrade": "WebSocket"},
			want:   map[string]string{"Connection": "keep-alive, Upgrade", "Upgrade": "websocket"},
		},
		{
			name:   "Via is appended to",
			host:   "headers-inspect.test",
			header: map[string]string{"Via": "1.1 dev"},
			want:   map[string]string{"Via": "1.1 dev, 1.1 kong/3.9.1"},
		},
		{
			name:   "Expect is not forwarded",
			host:   "headers-inspect.test",
			header: map[string]string{"Expect": "100-continue"},
			want:   map[string]string{"Expect": absent},
		},
		{
			name:   "other headers pass",
			host:   "headers-inspect.test",
			header: map[string]string{"Authorization": "Bearer x", "X-Custom": "a b c"},
			want:   map[string]string{"Authorization": "Bearer x", "X-Custom": "a b c"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if path == "" {
				path = "/"
			}
			hdr := map[string][]string{}
			for k, v := range tt.header {
				hdr[k] = []string{v}
			}
			res, body := e.do(request{path: path, host: tt.host, header: hdr})
			if res.StatusCode != 200 {
				t.Fatalf("status %d: %s", res.StatusCode, body)
			}
			got := decodeEcho(t, body)
			for name, want := range tt.want {
				if name == "Host" {
					if got.Host != want {
						t.Errorf("Host = %q, want %q", got.Host, want)
					}
					continue
				}
				v, ok := got.Headers[name]
				switch {
				case want == absent && ok:
					t.Errorf("%s = %q, want absent", name, v)
				case want != absent && (len(v) != 1 || v[0] != want):
					t.Errorf("%s = %q, want %q", name, v, want)
				}
			}
			id := got.Headers.Get("X-Kong-Request-Id")
			if !hexID.MatchString(id) || res.Header.Get("X-Kong-Request-Id") != id {
				t.Errorf("request id upstream %q, downstream %q", id, res.Header.Get("X-Kong-Request-Id"))
			}
		})
	}
}

// TestUpstreamRequestID: the client's X-Kong-Request-Id is overwritten,
// or passed untouched when headers_upstream is off.
func TestUpstreamRequestID(t *testing.T) {
	t.Parallel()
	for _, on := range []bool{true, false} {
		e := newEnv(t, func(o *proxy.Options) { o.UpstreamRequestID = on })
		up := newEcho(t, "up")
		e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})
		_, body := e.do(request{path: "/", header: map[string][]string{"X-Kong-Request-Id": {"client"}}})
		got := decodeEcho(t, body).Headers.Get("X-Kong-Request-Id")
		if on && !hexID.MatchString(got) || !on && got != "client" {
			t.Errorf("headers_upstream %v: upstream got X-Kong-Request-Id %q", on, got)
		}
	}
}

// TestTrustedClient: a trusted peer's forwarding headers are believed
// (spec "using the trusted configuration values").
func TestTrustedClient(t *testing.T) {
	t.Parallel()
	trustAll := func(o *proxy.Options) {
		o.TrustedIPs = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}
	}
	e := newEnv(t, trustAll)
	up := newEcho(t, "up")
	svc := e.service(up.URL, nil)
	e.route(svc, map[string]any{"hosts": []any{"headers-inspect.test"}})
	e.route(svc, map[string]any{"paths": []any{"/foo"}})

	tests := []struct {
		name   string
		path   string
		header map[string]string
		want   map[string]string
	}{
		{"defaults", "/", nil, map[string]string{
			"X-Real-Ip": "127.0.0.1", "X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "http",
			"X-Forwarded-Host": "headers-inspect.test", "X-Forwarded-Port": e.proxyPort(), "X-Forwarded-Path": "/",
		}},
		{"forwarded values kept", "/", map[string]string{
			"X-Real-IP": "10.0.0.1", "X-Forwarded-For": "10.0.0.1", "X-Forwarded-Proto": "https",
			"X-Forwarded-Host": "example.test", "X-Forwarded-Port": "80", "X-Forwarded-Path": "/original-path",
		}, map[string]string{
			"X-Real-Ip": "10.0.0.1", "X-Forwarded-For": "10.0.0.1, 127.0.0.1", "X-Forwarded-Proto": "https",
			"X-Forwarded-Host": "example.test", "X-Forwarded-Port": "80", "X-Forwarded-Path": "/original-path",
		}},
		{"prefix kept even when stripped", "/foo/x", map[string]string{"X-Forwarded-Prefix": "/preserved"},
			map[string]string{"X-Forwarded-Prefix": "/preserved"}},
		{"real ip without X-Forwarded-For becomes X-Forwarded-For", "/", map[string]string{"X-Real-IP": "10.0.0.9"},
			map[string]string{"X-Real-Ip": "10.0.0.9", "X-Forwarded-For": "10.0.0.9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := map[string][]string{}
			for k, v := range tt.header {
				hdr[k] = []string{v}
			}
			_, body := e.do(request{path: tt.path, host: "headers-inspect.test", header: hdr})
			got := decodeEcho(t, body)
			for name, want := range tt.want {
				if v := got.Headers.Get(name); v != want {
					t.Errorf("%s = %q, want %q", name, v, want)
				}
			}
		})
	}
}

// TestRealIPRecursive is Kong's real_ip_recursive spec: X-Forwarded-For is
// walked from the right past the trusted addresses.
func TestRealIPRecursive(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *proxy.Options) {
		o.TrustedIPs = []netip.Prefix{
			netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("172.16.0.1/32"), netip.MustParsePrefix("192.168.0.1/32"),
		}
		o.RealIPHeader = "X-Forwarded-For"
		o.RealIPRecursive = true
	})
	up := newEcho(t, "up")
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})
	xff := "127.0.0.1, 10.0.0.1, 192.168.0.1, 127.0.0.1, 172.16.0.1"
	_, body := e.do(request{path: "/", header: map[string][]string{"X-Forwarded-For": {xff}}})
	got := decodeEcho(t, body)
	if v := got.Headers.Get("X-Real-Ip"); v != "10.0.0.1" {
		t.Errorf("X-Real-IP = %q, want 10.0.0.1", v)
	}
	if v := got.Headers.Get("X-Forwarded-For"); v != xff+", 127.0.0.1" {
		t.Errorf("X-Forwarded-For = %q", v)
	}
}
