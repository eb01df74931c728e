package integration

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestRequestLimits: requests beyond nginx's header buffers get Kong's
// statuses and error bodies, not Go's.
func TestRequestLimits(t *testing.T) {
	n := start(t, nil)
	tests := []struct {
		name     string
		path     string
		header   map[string]string
		status   int
		contains string
	}{
		{"one header line over 8 KiB", "/", map[string]string{"X-Big": strings.Repeat("a", 9000)},
			400, "Request header or cookie too large"},
		{"headers over 32 KiB", "/", map[string]string{"X-A": strings.Repeat("a", 7000), "X-B": strings.Repeat("b", 7000),
			"X-C": strings.Repeat("c", 7000), "X-D": strings.Repeat("d", 7000), "X-E": strings.Repeat("e", 7000)},
			400, "Request header or cookie too large"},
		{"request line over 8 KiB", "/" + strings.Repeat("p", 9000), nil, 414, "URI too long"},
		{"within the limits", "/nothing-here", map[string]string{"X-Ok": strings.Repeat("a", 7000)}, 404, "no Route matched"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", n.proxy+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status || !strings.Contains(string(body), tt.contains) {
				t.Errorf("got %d %q, want %d containing %q", res.StatusCode, body, tt.status, tt.contains)
			}
			if !strings.Contains(string(body), "request_id") {
				t.Errorf("body %q is not Kong's error shape", body)
			}
		})
	}
}
