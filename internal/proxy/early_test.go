package proxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestEarlyResponse: an upstream that answers before reading the request
// body is heard; the client connection is closed afterwards since its
// body is not read to the end.
func TestEarlyResponse(t *testing.T) {
	t.Parallel()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		http.Error(w, "too big for me", http.StatusRequestEntityTooLarge)
	}))
	t.Cleanup(up.Close)
	e := newEnv(t)
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})

	pr, pw := io.Pipe()
	defer pw.Close()
	go func() { // a client that sends slowly and never finishes on its own
		_, _ = pw.Write([]byte(strings.Repeat("a", 64<<10)))
		time.Sleep(10 * time.Second)
	}()
	req, _ := http.NewRequest("POST", e.srv.URL+"/", pr)
	start := time.Now()
	res, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := readBody(res)
	if res.StatusCode != 413 || body != "too big for me\n" {
		t.Errorf("%d %q", res.StatusCode, body)
	}
	if !res.Close {
		t.Error("want Connection: close after a response that left the request body unread")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	if res, _ := e.do(request{path: "/"}); res.StatusCode != 413 {
		t.Errorf("next request: %d", res.StatusCode)
	}
}
