package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/gateway"
)

// node is a running gateway on ephemeral loopback ports.
type node struct {
	g                        *gateway.Gateway
	proxy, admin, statusBase string
}

// start runs a gateway with its prefix in a temporary directory and every
// listener on 127.0.0.1:0; overrides are kong.conf properties.
func start(t *testing.T, overrides map[string]string, opts ...gateway.Option) *node {
	t.Helper()
	props := map[string]string{
		"prefix":        t.TempDir(),
		"proxy_listen":  "127.0.0.1:0",
		"admin_listen":  "127.0.0.1:0",
		"status_listen": "127.0.0.1:0",
	}
	for k, v := range overrides {
		props[k] = v
	}
	cfg, err := conf.LoadOverrides("", nil, props)
	if err != nil {
		t.Fatalf("load configuration: %v", err)
	}
	g, err := openGateway(cfg, opts...)
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
	addrs := g.Addrs()
	return &node{g: g,
		proxy:      "http://" + addrs["proxy"][0],
		admin:      "http://" + addrs["admin"][0],
		statusBase: "http://" + addrs["status"][0],
	}
}

// openGateway builds a node from cfg with logging discarded.
func openGateway(cfg *conf.Config, opts ...gateway.Option) (*gateway.Gateway, error) {
	return gateway.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), opts...)
}

// call sends a request and returns status, headers and body.
func call(t *testing.T, method, u, contentType, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, b
}

func form(values url.Values) string { return values.Encode() }

// eventually polls fn until it returns true or the deadline passes.
func eventually(t *testing.T, d time.Duration, what string, fn func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !fn() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestQuickstart follows the README: create a service pointing at the
// node's own status endpoint and a route, then call it through the proxy.
func TestQuickstart(t *testing.T) {
	n := start(t, nil)
	status, _, body := call(t, "POST", n.admin+"/services", "application/x-www-form-urlencoded",
		form(url.Values{"name": {"example"}, "url": {n.admin + "/status"}}))
	if status != http.StatusCreated {
		t.Fatalf("create service: %d %s", status, body)
	}
	status, _, body = call(t, "POST", n.admin+"/services/example/routes", "application/x-www-form-urlencoded",
		form(url.Values{"name": {"example"}, "paths[]": {"/example"}}))
	if status != http.StatusCreated {
		t.Fatalf("create route: %d %s", status, body)
	}
	var res *http.Response
	eventually(t, 2*time.Second, "the route to be served", func() bool {
		r, err := http.Get(n.proxy + "/example")
		if err != nil {
			return false
		}
		defer r.Body.Close()
		io.Copy(io.Discard, r.Body)
		res = r
		return r.StatusCode == http.StatusOK
	})
	for _, h := range []string{"Via", "X-Kong-Upstream-Latency", "X-Kong-Proxy-Latency", "X-Kong-Request-Id"} {
		if res.Header.Get(h) == "" {
			t.Errorf("proxied response lacks %s", h)
		}
	}
	status, _, body = call(t, "GET", n.proxy+"/nowhere", "", "")
	if status != http.StatusNotFound || !bytes.Contains(body, []byte("no Route matched with those values")) {
		t.Errorf("unknown route: %d %s", status, body)
	}
}

// TestRootReportsKongShape checks what Kong's clients read from GET /.
func TestRootReportsKongShape(t *testing.T) {
	n := start(t, nil)
	status, _, body := call(t, "GET", n.admin+"/", "", "")
	if status != http.StatusOK {
		t.Fatalf("GET /: %d %s", status, body)
	}
	var root struct {
		Version       string         `json:"version"`
		Configuration map[string]any `json:"configuration"`
	}
	if err := json.Unmarshal(body, &root); err != nil {
		t.Fatal(err)
	}
	if root.Version != "3.9.1" || root.Configuration["database"] != "sqlite" ||
		root.Configuration["router_flavor"] != "traditional_compatible" {
		t.Errorf("GET / = version %q database %v router_flavor %v", root.Version,
			root.Configuration["database"], root.Configuration["router_flavor"])
	}
	status, _, body = call(t, "GET", n.statusBase+"/status/ready", "", "")
	if status != http.StatusOK {
		t.Errorf("/status/ready: %d %s", status, body)
	}
}
