package requestsizelimiting_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/plugin/plugintest"
	_ "github.com/silverback-gw/silverback/internal/plugins/requestsizelimiting"
)

var loaded = []string{"request-size-limiting"}

// raw sends a request written by hand (headers net/http would not let
// through as such) and returns the status line and the body's start.
func raw(t *testing.T, e *plugintest.Env, req string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", e.Server.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b := make([]byte, 512)
	n, _ := res.Body.Read(b)
	return res.StatusCode, string(b[:n])
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name, config, req string
		status            int
		message           string
	}{
		{"under the limit", `{"allowed_payload_size":10,"size_unit":"bytes"}`,
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789", 200, ""},
		{"over the limit", `{"allowed_payload_size":10,"size_unit":"bytes"}`,
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nAccept: application/json\r\n\r\n01234567890", 413, `"message":"Request size limit exceeded"`},
		{"kilobytes", `{"allowed_payload_size":1,"size_unit":"kilobytes"}`,
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n" + strings.Repeat("a", 1025), 413, "Request size limit exceeded"},
		{"default megabytes", `{}`,
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 134217729\r\n\r\n", 413, "Request size limit exceeded"},
		{"expect 100-continue", `{"allowed_payload_size":1,"size_unit":"bytes"}`,
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", 417, "Request size limit exceeded"},
		{"length required", `{"require_content_length":true}`,
			"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 411, "A valid Content-Length header is required"},
		{"length given", `{"require_content_length":true}`,
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na", 200, ""},
		{"chunked passes", `{"require_content_length":true,"allowed_payload_size":1,"size_unit":"bytes"}`,
			"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := plugintest.New(t, loaded)
			e.Route(e.Service(), "/")
			e.Plugin("request-size-limiting", "", tt.config)
			status, body := raw(t, e, tt.req)
			if status != tt.status || !strings.Contains(body, tt.message) {
				t.Errorf("got %d %q, want %d %q", status, body, tt.status, tt.message)
			}
			if want := int64(0); tt.status != 200 && e.Upstream.Count.Load() != want {
				t.Error("proxied")
			}
		})
	}
}

func TestSchema(t *testing.T) {
	e := plugintest.New(t, loaded)
	for _, c := range []string{`{"size_unit":"gigabytes"}`, `{"allowed_payload_size":"x"}`} {
		if err := e.TryInsert("plugins", fmt.Sprintf(`{"name":"request-size-limiting","config":%s}`, c)); err == nil {
			t.Errorf("%s accepted", c)
		}
	}
}
