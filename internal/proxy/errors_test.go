package proxy_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/proxy"
)

// errorBody is Kong's error body for a format, message and request id.
func errorBody(format, msg, id string) string {
	switch format {
	case "html":
		return "<!doctype html>\n<html>\n  <head>\n    <meta charset=\"utf-8\">\n    <title>Error</title>\n  </head>\n  <body>\n    <h1>Error</h1>\n    <p>" +
			msg + ".</p>\n    <p>request_id: " + id + "</p>\n  </body>\n</html>\n"
	case "xml":
		return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error>\n  <message>" + msg +
			"</message>\n  <requestid>" + id + "</requestid>\n</error>\n"
	case "plain":
		return msg + "\nrequest_id: " + id + "\n"
	}
	return "{\n  \"message\":\"" + msg + "\",\n  \"request_id\":\"" + id + "\"\n}"
}

var contentTypes = map[string]string{
	"json":  "application/json; charset=utf-8",
	"html":  "text/html; charset=utf-8",
	"xml":   "application/xml; charset=utf-8",
	"plain": "text/plain; charset=utf-8",
}

// TestErrorBodies checks Kong's two negotiation paths: router and balancer
// errors (kong.response.error) negotiate on Accept and default to JSON;
// nginx errors (502, 504, 405, 413...) fall back to Content-Type, then to
// error_default_type.
func TestErrorBodies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.route(e.service("http://"+deadAddr(t), map[string]any{"retries": 0}), map[string]any{"paths": []any{"/dead"}})
	e.route("", map[string]any{"paths": []any{"/noservice"}})
	e.route(e.service("http://127.0.0.1:9", nil), map[string]any{"paths": []any{"/https"}, "protocols": []any{"https"}})

	const (
		noRoute   = "no Route matched with those values"
		noService = "no Service found with those values"
		bad       = "An invalid response was received from the upstream server"
	)
	tests := []struct {
		name, method, path string
		header             http.Header
		status             int
		format, message    string
	}{
		{"404 without Accept is JSON", "GET", "/nope", nil, 404, "json", noRoute},
		{"404 Accept html", "GET", "/nope", http.Header{"Accept": {"text/html"}}, 404, "html", noRoute},
		{"404 Accept xml", "GET", "/nope", http.Header{"Accept": {"application/xml"}}, 404, "xml", noRoute},
		{"404 Accept plain", "GET", "/nope", http.Header{"Accept": {"text/plain"}}, 404, "plain", noRoute},
		{"404 Accept by q", "GET", "/nope", http.Header{"Accept": {"text/plain;q=0.2, application/xml;q=0.9"}}, 404, "xml", noRoute},
		{"404 ignores Content-Type", "GET", "/nope", http.Header{"Content-Type": {"text/html"}}, 404, "json", noRoute},
		{"404 joins Accept lines", "GET", "/nope", http.Header{"Accept": {"text/plain;q=0.1", "text/html"}}, 404, "html", noRoute},
		{"503 no service", "GET", "/noservice", nil, 503, "json", noService},
		{"426 https only", "GET", "/https", nil, 426, "json", "Please use HTTPS protocol"},
		{"502 defaults to error_default_type", "GET", "/dead", nil, 502, "plain", bad},
		{"502 Accept html", "GET", "/dead", http.Header{"Accept": {"text/html"}}, 502, "html", bad},
		{"502 Accept json", "GET", "/dead", http.Header{"Accept": {"application/json"}}, 502, "json", bad},
		{"502 falls back to Content-Type", "GET", "/dead", http.Header{"Content-Type": {"application/xml"}}, 502, "xml", bad},
		{"502 uses the first Accept line only", "GET", "/dead", http.Header{"Accept": {"text/plain;q=0.1", "text/html"}}, 502, "plain", bad},
		{"405 TRACE", "TRACE", "/dead", nil, 405, "plain", "Method not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := e.do(request{method: tt.method, path: tt.path, header: tt.header})
			id := res.Header.Get("X-Kong-Request-Id")
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d", res.StatusCode, tt.status)
			}
			if want := errorBody(tt.format, tt.message, id); body != want {
				t.Errorf("body\n%q\nwant\n%q", body, want)
			}
			if ct := res.Header.Get("Content-Type"); ct != contentTypes[tt.format] {
				t.Errorf("Content-Type %q, want %q", ct, contentTypes[tt.format])
			}
			if res.Header.Get("Content-Length") != fmt.Sprint(len(body)) {
				t.Errorf("Content-Length %q for %d bytes", res.Header.Get("Content-Length"), len(body))
			}
		})
	}
	t.Run("426 headers", func(t *testing.T) {
		res, _ := e.do(request{path: "/https"})
		if res.Header.Get("Upgrade") != "TLS/1.2, HTTP/1.1" || res.Header.Get("Connection") != "Upgrade" {
			t.Errorf("headers %v", res.Header)
		}
	})
	t.Run("HEAD has no body", func(t *testing.T) {
		for _, path := range []string{"/nope", "/dead"} {
			res, body := e.do(request{method: "HEAD", path: path})
			if body != "" || res.StatusCode < 400 {
				t.Errorf("HEAD %s: %d %q", path, res.StatusCode, body)
			}
		}
	})
}

// TestErrorDefaultType: error_default_type picks the format of nginx
// errors for requests with neither Accept nor Content-Type.
func TestErrorDefaultType(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *proxy.Options) { o.ErrorDefaultType = "text/html" })
	e.route(e.service("http://"+deadAddr(t), map[string]any{"retries": 0}), map[string]any{"paths": []any{"/dead"}})
	res, body := e.do(request{path: "/dead"})
	if res.StatusCode != 502 || !strings.HasPrefix(body, "<!doctype html>") {
		t.Errorf("%d %q", res.StatusCode, body)
	}
}

// TestHTTPSRedirect: https_redirect_status_code other than 426 redirects to
// the https URL of the request; a trusted X-Forwarded-Proto: https passes.
func TestHTTPSRedirect(t *testing.T) {
	t.Parallel()
	up := newEcho(t, "up")
	for _, code := range []int{301, 302, 307, 308} {
		e := newEnv(t)
		e.route(e.service(up.URL, nil), map[string]any{"hosts": []any{"example.com"}, "protocols": []any{"https"},
			"https_redirect_status_code": code})
		e.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		res, body := e.do(request{path: "/redirect?foo=bar", host: "example.com"})
		if res.StatusCode != code || res.Header.Get("Location") != "https://example.com/redirect?foo=bar" || body != "" {
			t.Errorf("%d: got %d Location %q body %q", code, res.StatusCode, res.Header.Get("Location"), body)
		}
	}

	e := newEnv(t)
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}, "protocols": []any{"https"}})
	res, _ := e.do(request{path: "/", header: http.Header{"X-Forwarded-Proto": {"https"}}})
	if res.StatusCode != 426 {
		t.Errorf("untrusted X-Forwarded-Proto: %d, want 426", res.StatusCode)
	}
	trusted := newEnv(t, trustLoopback)
	trusted.route(trusted.service(up.URL, nil), map[string]any{"paths": []any{"/"}, "protocols": []any{"https"}})
	for proto, want := range map[string]int{"https": 200, "httpsa": 426} {
		res, _ := trusted.do(request{path: "/", header: http.Header{"X-Forwarded-Proto": {proto}}})
		if res.StatusCode != want {
			t.Errorf("trusted X-Forwarded-Proto %s: %d, want %d", proto, res.StatusCode, want)
		}
	}
}

// TestErrorTemplates: error_template_* replace Kong's bodies.
func TestErrorTemplates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *proxy.Options) {
		o.ErrorTemplates = proxy.ErrorTemplates{
			JSON:  `{"custom_template_message":"%s","id":"%s","pct":"100%%"}`,
			Plain: "plain: %s %z",
		}
	})
	res, body := e.do(request{path: "/nope"})
	id := res.Header.Get("X-Kong-Request-Id")
	if want := `{"custom_template_message":"no Route matched with those values","id":"` + id + `","pct":"100%"}`; body != want {
		t.Errorf("json: %q", body)
	}
	_, body = e.do(request{path: "/nope", header: http.Header{"Accept": {"text/plain"}}})
	if body != "plain: no Route matched with those values %z" {
		t.Errorf("plain: %q", body)
	}
	_, body = e.do(request{path: "/nope", header: http.Header{"Accept": {"text/html"}}})
	if !strings.HasPrefix(body, "<!doctype html>") {
		t.Errorf("html keeps Kong's template: %q", body)
	}
}
