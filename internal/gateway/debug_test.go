package gateway_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/gateway"
)

// startGateway runs a gateway on 127.0.0.1:0 listeners with debug_listen
// set as given and returns its bound addresses; the log goes to logs.
func startGateway(t *testing.T, debugListen string, logs io.Writer) map[string][]string {
	t.Helper()
	cfg, err := conf.LoadOverrides("", nil, map[string]string{
		"prefix":        t.TempDir(),
		"proxy_listen":  "127.0.0.1:0",
		"admin_listen":  "127.0.0.1:0",
		"status_listen": "127.0.0.1:0",
		"debug_listen":  debugListen,
	})
	if err != nil {
		t.Fatalf("load configuration: %v", err)
	}
	g, err := gateway.New(cfg, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatalf("gateway.New: %v", err)
	}
	if err := g.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := g.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return g.Addrs()
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return res.StatusCode, string(body)
}

func TestDebugListen(t *testing.T) {
	var logs bytes.Buffer
	addrs := startGateway(t, "127.0.0.1:0", &logs)
	if len(addrs["debug"]) != 1 {
		t.Fatalf("debug addresses = %q, want one", addrs["debug"])
	}
	base := "http://" + addrs["debug"][0]

	status, body := get(t, base+"/debug/pprof/heap?debug=1")
	if status != http.StatusOK || !strings.HasPrefix(body, "heap profile:") {
		t.Errorf("GET /debug/pprof/heap?debug=1 = %d %.40q, want 200 and a heap profile", status, body)
	}
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/goroutine?debug=1", "/debug/pprof/cmdline"} {
		if status, _ := get(t, base+path); status != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, status)
		}
	}
	for _, path := range []string{"/", "/status", "/debug/pprof/nonesuch", "/debug/vars"} {
		if status, _ := get(t, base+path); status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, status)
		}
	}
	if strings.Contains(logs.String(), "non-loopback") {
		t.Errorf("loopback debug_listen logged a warning:\n%s", logs.String())
	}
}

func TestDebugListenOff(t *testing.T) {
	addrs := startGateway(t, "off", io.Discard)
	if got, ok := addrs["debug"]; ok {
		t.Errorf("debug addresses = %q with debug_listen off, want none", got)
	}
}
