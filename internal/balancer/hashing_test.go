package balancer

import (
	"hash/crc32"
	"regexp"
	"testing"
)

// fakeRequest answers every hashing input from maps.
type fakeRequest struct {
	ip, consumer, path  string
	headers, cookies    map[string]string
	queryArgs, captures map[string]string
}

func (r fakeRequest) ClientIP() string              { return r.ip }
func (r fakeRequest) Consumer() string              { return r.consumer }
func (r fakeRequest) Header(name string) string     { return r.headers[name] }
func (r fakeRequest) Cookie(name string) string     { return r.cookies[name] }
func (r fakeRequest) Path() string                  { return r.path }
func (r fakeRequest) QueryArg(name string) string   { return r.queryArgs[name] }
func (r fakeRequest) URICapture(name string) string { return r.captures[name] }

func TestHash(t *testing.T) {
	req := fakeRequest{ip: "10.1.1.1", consumer: "c-1", path: "/p",
		headers: map[string]string{"X-User": "u1"}, cookies: map[string]string{"sticky": "s1"},
		queryArgs: map[string]string{"q": "1,2"}, captures: map[string]string{"id": "42"}}
	tests := []struct {
		name   string
		spec   hashSpec
		r      fakeRequest
		want   string
		cookie bool
	}{
		{"none", hashSpec{on: "none", fallback: "none"}, req, "", false},
		{"ip", hashSpec{on: "ip"}, req, "10.1.1.1", false},
		{"consumer", hashSpec{on: "consumer"}, req, "c-1", false},
		{"header", hashSpec{on: "header", onName: "X-User"}, req, "u1", false},
		{"path", hashSpec{on: "path"}, req, "/p", false},
		{"query_arg", hashSpec{on: "query_arg", onName: "q"}, req, "1,2", false},
		{"uri_capture", hashSpec{on: "uri_capture", onName: "id"}, req, "42", false},
		{"cookie present", hashSpec{on: "cookie", cookie: "sticky", cookiePath: "/"}, req, "s1", false},
		{"fallback", hashSpec{on: "header", onName: "X-None", fallback: "ip"}, req, "10.1.1.1", false},
		{"consumer fallback", hashSpec{on: "consumer", fallback: "header", fallbackName: "X-User"}, fakeRequest{headers: req.headers}, "u1", false},
		{"cookie generated", hashSpec{on: "cookie", cookie: "sticky", cookiePath: "/app"}, fakeRequest{}, "", true},
	}
	uuid := regexp.MustCompile(`^sticky=([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}); Path=/app; Same-Site=Lax; HttpOnly$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &Balancer{algo: "consistent-hashing", hash: tt.spec}
			h, cookie := b.Hash(tt.r)
			if !tt.cookie {
				if cookie != "" || h != crc32.ChecksumIEEE([]byte(tt.want)) {
					t.Fatalf("hash %d cookie %q, want the hash of %q", h, cookie, tt.want)
				}
				return
			}
			m := uuid.FindStringSubmatch(cookie)
			if m == nil {
				t.Fatalf("Set-Cookie %q", cookie)
			}
			if h != crc32.ChecksumIEEE([]byte(m[1])) {
				t.Fatal("the hash is not the generated cookie's")
			}
		})
	}
	if h, c := (&Balancer{algo: "round-robin"}).Hash(req); h != 0 || c != "" {
		t.Fatal("round-robin hashes")
	}
}

func TestPassiveRecoveryBySuccesses(t *testing.T) {
	hc := map[string]any{"passive": map[string]any{
		"healthy":   map[string]any{"successes": int64(2)},
		"unhealthy": map[string]any{"http_failures": int64(1)},
	}}
	s := newTestSet(t, nil)
	b := s.Get(upstream("u", "round-robin", hc, "10.0.0.1:80"))
	a := b.view.Load().addrs[0]
	steps := []struct {
		status  int
		healthy bool
	}{
		{500, false}, {200, false}, {429, false}, {200, false}, {404, false}, {200, true}, {404, true}, {503, false},
	}
	for i, st := range steps {
		a.inflight.Add(1)
		b.Report(a, Outcome{Status: st.status})
		if a.health.isHealthy() != st.healthy {
			t.Fatalf("step %d (%d): healthy %v", i, st.status, !st.healthy)
		}
	}
}
