package proxy_test

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/proxy"
)

// TestStreamingResponse: a body sent in pieces reaches the client piece by
// piece, the headers before the first one.
func TestStreamingResponse(t *testing.T) {
	t.Parallel()
	next := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		for _, piece := range []string{"one\n", "two\n", "three\n"} {
			select {
			case <-next:
			case <-time.After(5 * time.Second):
				return
			}
			_, _ = w.Write([]byte(piece))
			w.(http.Flusher).Flush()
		}
	}))
	t.Cleanup(up.Close)
	e := newEnv(t)
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})

	res, err := e.client.Get(e.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	br := bufio.NewReader(res.Body)
	for _, want := range []string{"one\n", "two\n", "three\n"} {
		next <- struct{}{} // the upstream sends the next piece only now
		line, err := br.ReadString('\n')
		if err != nil || line != want {
			t.Fatalf("read %q, %v; want %q", line, err, want)
		}
	}
}

// TestStreamingRequest: the request body reaches the upstream while the
// client is still sending it.
func TestStreamingRequest(t *testing.T) {
	t.Parallel()
	got := make(chan string, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		br := bufio.NewReader(r.Body)
		first, _ := br.ReadString('\n')
		got <- first
		rest, _ := io.ReadAll(br)
		_, _ = w.Write([]byte(first + string(rest)))
	}))
	t.Cleanup(up.Close)
	e := newEnv(t)
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})

	pr, pw := io.Pipe()
	done := make(chan string, 1)
	go func() {
		req, _ := http.NewRequest("POST", e.srv.URL+"/", pr)
		res, err := e.client.Do(req)
		if err != nil {
			done <- err.Error()
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		done <- string(b)
	}()
	_, _ = pw.Write([]byte("first\n"))
	select {
	case first := <-got:
		if first != "first\n" {
			t.Errorf("upstream read %q first", first)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the upstream got nothing while the client was still sending")
	}
	_, _ = pw.Write([]byte("second\n"))
	pw.Close()
	if body := <-done; body != "first\nsecond\n" {
		t.Errorf("response %q", body)
	}
}

// TestBodyLimit: client_max_body_size answers 413 for a declared length
// beyond it and for a chunked body that grows beyond it.
func TestBodyLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *proxy.Options) { o.ClientMaxBodySize = 10 })
	up := newEcho(t, "up")
	e.route(e.service(up.URL, nil), map[string]any{"paths": []any{"/"}})

	res, body := e.do(request{method: "POST", path: "/", body: strings.Repeat("x", 11)})
	if res.StatusCode != 413 || !strings.HasPrefix(body, "Payload too large\n") {
		t.Errorf("declared: %d %q", res.StatusCode, body)
	}
	if n := up.count.Load(); n != 0 {
		t.Errorf("the upstream got %d requests", n)
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/", io.MultiReader(strings.NewReader(strings.Repeat("y", 8)), strings.NewReader(strings.Repeat("y", 8))))
	req.ContentLength = -1 // chunked
	res2, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b := readAll(t, res2.Body)
	res2.Body.Close()
	if res2.StatusCode != 413 || !strings.HasPrefix(b, "Payload too large\n") {
		t.Errorf("chunked: %d %q", res2.StatusCode, b)
	}
	res, body = e.do(request{method: "POST", path: "/", body: strings.Repeat("z", 10)})
	if res.StatusCode != 200 || decodeEcho(t, body).Body != strings.Repeat("z", 10) {
		t.Errorf("at the limit: %d %q", res.StatusCode, body)
	}
}
