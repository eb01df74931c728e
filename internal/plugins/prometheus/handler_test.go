package prometheus_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/gateway"
	"github.com/silverback-gw/silverback/internal/meta"
)

// node is a gateway on loopback ports with its SQLite database.
type node struct {
	t                    *testing.T
	g                    *gateway.Gateway
	proxy, admin, status string
	upstream             *httptest.Server
}

func start(t *testing.T, plugins string) *node {
	t.Helper()
	cfg, err := conf.LoadOverrides("", nil, map[string]string{
		"prefix": t.TempDir(), "plugins": plugins,
		"proxy_listen": "127.0.0.1:0", "admin_listen": "127.0.0.1:0", "status_listen": "127.0.0.1:0",
	})
	if err != nil {
		t.Fatal(err)
	}
	g, err := gateway.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		g.Shutdown(ctx)
	})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		if status == 0 {
			status = 200
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		io.WriteString(w, "upstream body")
	}))
	t.Cleanup(up.Close)
	a := g.Addrs()
	return &node{t: t, g: g, proxy: "http://" + a["proxy"][0], admin: "http://" + a["admin"][0],
		status: "http://" + a["status"][0], upstream: up}
}

// create posts an entity to the Admin API and returns its id.
func (n *node) create(path, body string) string {
	n.t.Helper()
	res, err := http.Post(n.admin+path, "application/json", strings.NewReader(body))
	if err != nil {
		n.t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ ID string }
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 201 || json.Unmarshal(b, &out) != nil {
		n.t.Fatalf("POST %s %s: %d %s", path, body, res.StatusCode, b)
	}
	return out.ID
}

// get sends a request and returns its status and body.
func (n *node) get(url string, header http.Header) (int, string) {
	n.t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// proxied brings the proxy's configuration up to date with what the
// Admin API wrote (it propagates asynchronously: a request sent before
// the plugins arrive would not be counted), then sends path count times.
func (n *node) proxied(path string, header http.Header, want, count int) {
	n.t.Helper()
	if err := n.g.Holder().Rebuild(context.Background()); err != nil {
		n.t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		status, body := n.get(n.proxy+path, header)
		if status == want {
			break
		}
		if time.Now().After(deadline) {
			n.t.Fatalf("%s: %d %s", path, status, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for range count - 1 {
		if status, body := n.get(n.proxy+path, header); status != want {
			n.t.Fatalf("%s: %d %s", path, status, body)
		}
	}
}

// metrics scrapes base/metrics and returns the samples by series
// ("name{labels}").
func (n *node) metrics(base string) map[string]float64 {
	n.t.Helper()
	status, body := n.get(base+"/metrics", nil)
	if status != 200 {
		n.t.Fatalf("GET %s/metrics: %d %s", base, status, body)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			n.t.Fatalf("bad sample %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

// await scrapes until every wanted series has its value (the log phase
// is asynchronous), and returns the last scrape.
func (n *node) await(base string, want map[string]float64) map[string]float64 {
	n.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := n.metrics(base)
		missing := ""
		for k, v := range want {
			if g, ok := got[k]; !ok || g != v {
				missing += "\n" + k + " = " + strconv.FormatFloat(v, 'g', -1, 64) + " (got " + strconv.FormatFloat(g, 'g', -1, 64) + ")"
			}
		}
		if missing == "" {
			return got
		}
		if time.Now().After(deadline) {
			n.t.Fatalf("%s/metrics lacks:%s", base, missing)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// series names one sample of a family of service name, with labels in
// the exposition's order: sorted, a bucket's le last.
func series(family, service, route string, labels ...string) string {
	pairs := []string{`route="` + route + `"`, `service="` + service + `"`, `workspace="default"`}
	le := ""
	for _, l := range labels {
		if strings.HasPrefix(l, "le=") {
			le = "," + l
		} else {
			pairs = append(pairs, l)
		}
	}
	slices.Sort(pairs)
	return family + "{" + strings.Join(pairs, ",") + le + "}"
}

// TestRequestMetrics: proxied requests show in /metrics on the Admin and
// Status APIs with Kong's names, labels and values.
func TestRequestMetrics(t *testing.T) {
	n := start(t, "bundled")
	name := "svc-" + uuid.NewString()[:8]
	route := name + "-route"
	svc := n.create("/services", `{"name":"`+name+`","url":"`+n.upstream.URL+`"}`)
	n.create("/services/"+svc+"/routes", `{"name":"`+route+`","paths":["/m"]}`)
	unnamed := n.create("/routes", `{"paths":["/unnamed"],"service":{"id":"`+svc+`"}}`)
	consumer := n.create("/consumers", `{"username":"`+name+`-user"}`)
	n.create("/consumers/"+consumer+"/key-auth", `{"key":"`+name+`-key"}`)
	n.create("/plugins", `{"name":"key-auth"}`)
	n.create("/plugins", `{"name":"prometheus","config":{"per_consumer":true,"status_code_metrics":true,`+
		`"latency_metrics":true,"bandwidth_metrics":true}}`)

	key := http.Header{"Apikey": {name + "-key"}}
	n.proxied("/m", key, 200, 2)
	n.proxied("/m/404", key, 404, 1)
	n.proxied("/unnamed", nil, 401, 1) // the route is named by its id, the consumer unknown
	n.proxied("/nowhere", nil, 404, 1) // no route: not counted

	user := `consumer="` + name + `-user"`
	want := map[string]float64{
		series("kong_http_requests_total", name, route, `code="200"`, user, `source="service"`):         2,
		series("kong_http_requests_total", name, route, `code="404"`, user, `source="service"`):         1,
		series("kong_http_requests_total", name, unnamed, `code="401"`, `consumer=""`, `source="kong"`): 1,
		series("kong_request_latency_ms_count", name, route):                                            3,
		series("kong_upstream_latency_ms_count", name, route):                                           3,
		series("kong_kong_latency_ms_count", name, route):                                               3,
		series("kong_kong_latency_ms_bucket", name, route, `le="6000"`):                                 3,
		series("kong_upstream_latency_ms_bucket", name, route, `le="60000"`):                            3,
		series("kong_upstream_latency_ms_bucket", name, route, `le="+Inf"`):                             3,
		series("kong_request_latency_ms_count", name, unnamed):                                          1,
		`kong_node_info{node_id="` + nodeID(t, n) + `",version="` + meta.KongVersion + `"}`:             1,
		`kong_datastore_reachable`: 1,
	}
	for _, base := range []string{n.admin, n.status} {
		got := n.await(base, want)
		if _, ok := got[series("kong_upstream_latency_ms_count", name, unnamed)]; ok {
			t.Errorf("%s: upstream latency observed for a request not proxied", base)
		}
		for _, dir := range []string{"ingress", "egress"} {
			s := series("kong_bandwidth_bytes", name, route, user, `direction="`+dir+`"`)
			if got[s] < 3*float64(len("GET /m HTTP/1.1\r\n\r\n")) {
				t.Errorf("%s: %s = %v", base, s, got[s])
			}
		}
		for s := range got {
			if strings.HasPrefix(s, "kong_upstream_target_health") {
				t.Errorf("%s: %s exported while upstream_health_metrics is off", base, s)
			}
		}
	}
}

// TestFlags: an instance without metric flags counts nothing; without
// any enabled instance the request metrics are not exported at all,
// while the node's gauges are.
func TestFlags(t *testing.T) {
	n := start(t, "bundled")
	name := "svc-" + uuid.NewString()[:8]
	svc := n.create("/services", `{"name":"`+name+`","url":"`+n.upstream.URL+`"}`)
	n.create("/services/"+svc+"/routes", `{"name":"`+name+`","paths":["/f"]}`)
	plugin := n.create("/plugins", `{"name":"prometheus"}`)
	n.proxied("/f", nil, 200, 2)
	time.Sleep(100 * time.Millisecond) // the log phase had time to run
	for s := range n.metrics(n.admin) {
		if strings.Contains(s, `service="`+name+`"`) {
			t.Errorf("%s counted by an instance without flags", s)
		}
	}

	req, _ := http.NewRequest("PATCH", n.admin+"/plugins/"+plugin, strings.NewReader(`{"enabled":false}`))
	req.Header.Set("Content-Type", "application/json")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("disable: %v %v", res, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := n.metrics(n.status)
		if got["kong_datastore_reachable"] != 1 {
			t.Fatalf("node gauges missing: %v", got)
		}
		requestFamilies := 0
		for s := range got {
			if strings.HasPrefix(s, "kong_http_requests_total") || strings.HasPrefix(s, "kong_request_latency_ms") {
				requestFamilies++
			}
		}
		if requestFamilies == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("request metrics still exported without an enabled instance")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestUpstreamHealth: with upstream_health_metrics the targets' addresses
// are exported with their state.
func TestUpstreamHealth(t *testing.T) {
	n := start(t, "bundled")
	name := "up-" + uuid.NewString()[:8]
	target := strings.TrimPrefix(n.upstream.URL, "http://")
	up := n.create("/upstreams", `{"name":"`+name+`"}`)
	n.create("/upstreams/"+up+"/targets", `{"target":"`+target+`"}`)
	svc := n.create("/services", `{"name":"`+name+`","host":"`+name+`"}`)
	n.create("/services/"+svc+"/routes", `{"paths":["/h"]}`)
	n.create("/plugins", `{"name":"prometheus","config":{"upstream_health_metrics":true}}`)
	n.proxied("/h", nil, 200, 1)
	labels := `address="` + target + `",state="%s",subsystem="http",target="` + target + `",upstream="` + name + `"`
	want := map[string]float64{}
	for _, state := range []string{"healthchecks_off", "healthy", "unhealthy", "dns_error"} {
		v := 0.0
		if state == "healthchecks_off" {
			v = 1
		}
		want["kong_upstream_target_health{"+strings.Replace(labels, "%s", state, 1)+"}"] = v
	}
	n.await(n.admin, want)
}

// TestDefaults: Kong 3.9's config, every flag false.
func TestDefaults(t *testing.T) {
	n := start(t, "bundled")
	id := n.create("/plugins", `{"name":"prometheus"}`)
	_, body := n.get(n.admin+"/plugins/"+id, nil)
	var p struct {
		Config    map[string]any `json:"config"`
		Protocols []string       `json:"protocols"`
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"per_consumer": false, "status_code_metrics": false, "ai_metrics": false,
		"latency_metrics": false, "bandwidth_metrics": false, "upstream_health_metrics": false}
	if !maps.Equal(p.Config, want) || strings.Join(p.Protocols, ",") != "grpc,grpcs,http,https" {
		t.Errorf("config %v protocols %v", p.Config, p.Protocols)
	}
}

// TestNotLoaded: without the plugin there is no /metrics.
func TestNotLoaded(t *testing.T) {
	n := start(t, "key-auth")
	for _, base := range []string{n.admin, n.status} {
		if status, body := n.get(base+"/metrics", nil); status != 404 {
			t.Errorf("%s/metrics: %d %s", base, status, body)
		}
	}
}

func nodeID(t *testing.T, n *node) string {
	t.Helper()
	_, body := n.get(n.admin+"/", nil)
	var root struct {
		NodeID string `json:"node_id"`
	}
	if err := json.Unmarshal([]byte(body), &root); err != nil {
		t.Fatal(err)
	}
	return root.NodeID
}
