package integration

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestHTTP2Listener: a proxy_listen entry with the http2 flag serves
// cleartext HTTP/2 (prior knowledge, as Kong's h2c listeners do) and still
// serves HTTP/1.1.
func TestHTTP2Listener(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Upstream-Saw-Via", r.Header.Get("Via"))
		fmt.Fprintf(w, "upstream saw %s", r.URL.Path)
	}))
	t.Cleanup(up.Close)
	n := start(t, map[string]string{"proxy_listen": "127.0.0.1:0 http2"})
	for _, step := range []struct{ path, body string }{
		{"/services", form(url.Values{"name": {"s"}, "url": {up.URL}})},
		{"/services/s/routes", form(url.Values{"paths[]": {"/h2"}})},
	} {
		if status, _, b := call(t, "POST", n.admin+step.path, "application/x-www-form-urlencoded", step.body); status != 201 {
			t.Fatalf("POST %s: %d %s", step.path, status, b)
		}
	}
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true)
	h2c := &http.Client{Transport: &http.Transport{Protocols: &protocols}, Timeout: 5 * time.Second}
	eventually(t, 2*time.Second, "the route over h2c", func() bool {
		res, err := h2c.Get(n.proxy + "/h2/x")
		if err != nil {
			return false
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			return false
		}
		if res.ProtoMajor != 2 {
			t.Fatalf("response over %s, want HTTP/2", res.Proto)
		}
		if string(b) != "upstream saw /x" {
			t.Fatalf("body %q", b)
		}
		// Via upstream names the client's protocol; Via downstream the
		// upstream's (proxy-and-router.md §2.1, §2.3).
		if via := res.Header.Get("X-Upstream-Saw-Via"); via != "2 kong/3.9.1" {
			t.Errorf("upstream Via = %q, want \"2 kong/3.9.1\"", via)
		}
		if via := res.Header.Get("Via"); via != "1.1 kong/3.9.1" {
			t.Errorf("downstream Via = %q, want \"1.1 kong/3.9.1\"", via)
		}
		return true
	})
	if status, body := get(t, n.proxy+"/h2/y"); status != 200 || body != "upstream saw /y" {
		t.Errorf("HTTP/1.1 on the same listener: %d %q", status, body)
	}
}

// TestHTTP1Engines: proxy_http1_engine picks the proxy listeners'
// HTTP/1.x server; either serves HTTP/1.1 and hands h2c to net/http. A
// request with both Content-Length and Transfer-Encoding tells them apart:
// the native engine refuses it as nginx does (400), net/http reads the
// chunked body.
func TestHTTP1Engines(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "upstream saw %s", r.URL.Path)
	}))
	t.Cleanup(up.Close)
	for engine, ambiguous := range map[string]int{"native": 400, "nethttp": 200} {
		t.Run(engine, func(t *testing.T) {
			n := start(t, map[string]string{"proxy_listen": "127.0.0.1:0 http2", "proxy_http1_engine": engine})
			for _, step := range []struct{ path, body string }{
				{"/services", form(url.Values{"name": {"s"}, "url": {up.URL}})},
				{"/services/s/routes", form(url.Values{"paths[]": {"/e"}})},
			} {
				if status, _, b := call(t, "POST", n.admin+step.path, "application/x-www-form-urlencoded", step.body); status != 201 {
					t.Fatalf("POST %s: %d %s", step.path, status, b)
				}
			}
			eventually(t, 2*time.Second, "the route", func() bool {
				status, _ := get(t, n.proxy+"/e/x")
				return status == 200
			})
			var protocols http.Protocols
			protocols.SetUnencryptedHTTP2(true)
			h2c := &http.Client{Transport: &http.Transport{Protocols: &protocols}, Timeout: 5 * time.Second}
			res, err := h2c.Get(n.proxy + "/e/h2")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 200 || res.ProtoMajor != 2 {
				t.Errorf("h2c: %d over %s", res.StatusCode, res.Proto)
			}
			conn, err := net.DialTimeout("tcp", strings.TrimPrefix(n.proxy, "http://"), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			_, _ = io.WriteString(conn, "POST /e/cl-te HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
			res, err = http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != ambiguous {
				t.Errorf("Content-Length with Transfer-Encoding: %d, want %d", res.StatusCode, ambiguous)
			}
		})
	}
}
