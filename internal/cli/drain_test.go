package cli

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDrain(t *testing.T) {
	t.Parallel()
	type request struct{ method, path, contentType, body string }
	serve := func(status int) (addr string, got chan request) {
		got = make(chan request, 1)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			got <- request{r.Method, r.URL.Path, r.Header.Get("Content-Type"), string(b)}
			w.WriteHeader(status)
		}))
		t.Cleanup(srv.Close)
		return srv.Listener.Addr().String(), got
	}
	ok, okReq := serve(http.StatusNoContent)
	teapot, _ := serve(http.StatusTeapot)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()

	tests := []struct {
		name   string
		status string // status_listen
		want   string
	}{
		{"drained", ok, "Kong's status successfully changed to 'draining'\n"},
		{"unexpected status", teapot, "Unexpected response status from http://" + teapot + "/status/ready: 418\n"},
		{"unreachable", closed, "Failed to send request to http://" + closed + "/status/ready: dial tcp " + closed + ": connect: connection refused\n"},
		{"no status listener", "off", "No status listeners found in configuration.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			confPath := writeConf(t, dir, "status_listen = "+tt.status)
			status, stdout, stderr := runCLI(t, nil, "drain", "-c", confPath, "-p", dir)
			if status != 0 || stdout != tt.want || stderr != "" {
				t.Errorf("status %d, stdout %q, stderr %q; want 0, %q", status, stdout, stderr, tt.want)
			}
		})
	}
	if r := <-okReq; r != (request{"POST", "/status/ready", "application/json", `{"status":"draining"}`}) {
		t.Errorf("request = %+v", r)
	}
}

func TestDrainUsesTheNodeConfiguration(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	// The node was started with this status listener; the configuration
	// given now (none: the defaults) does not matter.
	prefix := preparedPrefix(t, "status_listen = "+srv.Listener.Addr().String())
	status, stdout, _ := runCLI(t, nil, "drain", "-p", prefix)
	if status != 0 || !strings.Contains(stdout, "successfully changed") {
		t.Errorf("status %d, stdout %q; want the node's status listener drained", status, stdout)
	}
}

func TestDrainErrors(t *testing.T) {
	t.Parallel()
	status, _, stderr := runCLI(t, []string{"KONG_LOG_LEVEL=loud"}, "drain", "-p", t.TempDir())
	if status != 1 || !strings.HasPrefix(stderr, "Error: log_level has an invalid value") {
		t.Errorf("status %d, stderr %q", status, stderr)
	}
}
