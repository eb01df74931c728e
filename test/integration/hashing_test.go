package integration

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestConsistentHashing configures upstreams through the Admin API and
// checks that hash_on header and hash_on cookie pin a client to one target.
func TestConsistentHashing(t *testing.T) {
	n := start(t, nil)
	var targets []string
	for i := range 3 {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "target-%d", i)
		}))
		t.Cleanup(s.Close)
		targets = append(targets, strings.TrimPrefix(s.URL, "http://"))
	}
	admin := func(method, path, body string) {
		t.Helper()
		if status, _, b := call(t, method, n.admin+path, "application/json", body); status >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, status, b)
		}
	}
	for _, up := range []struct{ name, config string }{
		{"by-header", `{"name":"by-header","hash_on":"header","hash_on_header":"X-User"}`},
		{"by-cookie", `{"name":"by-cookie","hash_on":"cookie","hash_on_cookie":"sticky","hash_on_cookie_path":"/c"}`},
	} {
		admin("POST", "/upstreams", up.config)
		for _, tg := range targets {
			admin("POST", "/upstreams/"+up.name+"/targets", `{"target":"`+tg+`"}`)
		}
		admin("POST", "/services", `{"name":"`+up.name+`","host":"`+up.name+`"}`)
	}
	admin("POST", "/services/by-header/routes", `{"paths":["/h"]}`)
	admin("POST", "/services/by-cookie/routes", `{"paths":["/c"]}`)

	send := func(path, header, value string) (string, *http.Response) {
		t.Helper()
		req, _ := http.NewRequest("GET", n.proxy+path, nil)
		if header != "" {
			req.Header.Set(header, value)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b), res
	}
	eventually(t, 2*time.Second, "the hashing routes", func() bool {
		b1, _ := send("/h", "X-User", "x")
		b2, _ := send("/c", "", "")
		return strings.HasPrefix(b1, "target-") && strings.HasPrefix(b2, "target-")
	})

	seen := map[string]bool{}
	for u := range 30 {
		user := fmt.Sprintf("user-%d", u)
		first, _ := send("/h", "X-User", user)
		for range 5 {
			if got, _ := send("/h", "X-User", user); got != first {
				t.Fatalf("%s went to %s, then %s", user, first, got)
			}
		}
		seen[first] = true
	}
	if len(seen) < 2 {
		t.Errorf("30 users all hashed to %v", seen)
	}

	_, res := send("/c", "", "")
	cookie := res.Header.Get("Set-Cookie")
	if !strings.HasPrefix(cookie, "sticky=") || !strings.Contains(cookie, "; Path=/c; Same-Site=Lax; HttpOnly") {
		t.Fatalf("Set-Cookie = %q, want Kong's generated hash cookie", cookie)
	}
	value := strings.SplitN(strings.TrimPrefix(cookie, "sticky="), ";", 2)[0]
	first, _ := send("/c", "Cookie", "sticky="+value)
	for range 10 {
		got, res := send("/c", "Cookie", "sticky="+value)
		if got != first {
			t.Fatalf("cookie %s went to %s, then %s", value, first, got)
		}
		if res.Header.Get("Set-Cookie") != "" {
			t.Errorf("a client sending the cookie got a new one")
		}
	}
}
