package integration

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/cluster"
	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/gateway"
	"github.com/silverback-gw/silverback/internal/testutil/pgkong"
	"github.com/silverback-gw/silverback/internal/testutil/pgtest"
)

// defaultWorkspace returns the id of db's default workspace.
func defaultWorkspace(t *testing.T, db conf.PG) string {
	t.Helper()
	conn := pgtest.Connect(t, db)
	defer conn.Close(context.Background())
	var ws string
	if err := conn.QueryRow(context.Background(), `SELECT id::text FROM workspaces WHERE name = 'default'`).Scan(&ws); err != nil {
		t.Fatal(err)
	}
	return ws
}

// clusterNode is start for a PostgreSQL-backed node built with opts.
func clusterNode(t *testing.T, db conf.PG, props map[string]string, opts ...gateway.Option) *node {
	t.Helper()
	all := pgOverrides(db)
	for k, v := range props {
		all[k] = v
	}
	return start(t, all, opts...)
}

// mustAdmin sends an Admin API request and fails unless it answers want;
// it returns the decoded body.
func mustAdmin(t *testing.T, n *node, method, path, body string, want int) map[string]any {
	t.Helper()
	status, _, b := call(t, method, n.admin+path, "application/json", body)
	if status != want {
		t.Fatalf("%s %s: %d %s", method, path, status, b)
	}
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// serves reports whether n proxies path to the upstream named name (the
// route strips its path).
func serves(t *testing.T, n *node, path, name string) bool {
	status, body := get(t, n.proxy+path)
	return status == 200 && strings.HasPrefix(body, name+" /")
}

// propagation waits until every node serves path (or, with name "", answers
// 404 for it) and returns how long the slowest took.
func propagation(t *testing.T, within time.Duration, path, name string, nodes ...*node) time.Duration {
	t.Helper()
	begin := time.Now()
	for _, n := range nodes {
		eventually(t, within, path+" on "+n.proxy, func() bool {
			if name == "" {
				status, _ := get(t, n.proxy+path)
				return status == 404
			}
			return serves(t, n, path, name)
		})
	}
	return time.Since(begin)
}

// TestClusterNotify: three nodes on one database; a service and route
// created, updated and deleted through node A take effect on B and C
// within 1 s (LISTEN/NOTIFY; polling is every 5 s), and the cluster_events
// rows are Kong's.
func TestClusterNotify(t *testing.T) {
	db := pgkong.Bootstrapped(t)
	a, b, c := clusterNode(t, db, nil), clusterNode(t, db, nil), clusterNode(t, db, nil)
	up := upstream(t, "up")

	mustAdmin(t, a, "POST", "/services", `{"name":"s","url":"`+up.URL+`"}`, 201)
	route := mustAdmin(t, a, "POST", "/services/s/routes", `{"name":"r","paths":["/one"]}`, 201)
	t.Logf("create: %v", propagation(t, time.Second, "/one", "up", a, b, c))

	mustAdmin(t, a, "PATCH", "/routes/r", `{"paths":["/two"]}`, 200)
	t.Logf("update: %v", propagation(t, time.Second, "/two", "up", a, b, c))
	propagation(t, time.Second, "/one", "", a, b, c)

	mustAdmin(t, a, "DELETE", "/routes/r", "", 204)
	t.Logf("delete: %v", propagation(t, time.Second, "/two", "", a, b, c))

	root := mustAdmin(t, a, "GET", "/", "", 200)
	ws := defaultWorkspace(t, db)
	conn := pgtest.Connect(t, db)
	defer conn.Close(context.Background())
	var nodeID, channel string
	var nbfNull bool
	var ttl float64
	err := conn.QueryRow(context.Background(), `SELECT node_id::text, channel, nbf IS NULL,
		EXTRACT(EPOCH FROM expire_at - at)::float8 FROM cluster_events WHERE data = $1 LIMIT 1`,
		"routes:"+route["id"].(string)+":::::"+ws).Scan(&nodeID, &channel, &nbfNull, &ttl)
	if err != nil {
		t.Fatalf("cluster_events row of the route: %v", err)
	}
	if nodeID != root["node_id"] || channel != "invalidations_kong_core_db_cache" || !nbfNull || ttl != 3600 {
		t.Errorf("cluster_events row: node_id %s (want %v), channel %s, nbf null %v, expire_at-at %v s",
			nodeID, root["node_id"], channel, nbfNull, ttl)
	}
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM cluster_events WHERE data = 'router:version'`).Scan(&n); err != nil || n != 3 {
		t.Errorf("router:version events: %d, %v (want 3)", n, err)
	}
}

// TestClusterSubscribers: the consumer cache's view of cluster events. A
// consumer created, renamed and deleted through node A reaches node B's
// subscribers as Kong's cache keys (by id and by username, old and new),
// and A's own subscribers hear nothing (A applied its changes itself).
func TestClusterSubscribers(t *testing.T) {
	db := pgkong.Bootstrapped(t)
	a, b := clusterNode(t, db, nil), clusterNode(t, db, nil)
	var mu sync.Mutex
	got := map[string]bool{}
	b.g.Cluster().Subscribe(func(inv cluster.Invalidation) {
		mu.Lock()
		got[inv.Key] = true
		mu.Unlock()
	})
	var own atomic.Int64
	a.g.Cluster().Subscribe(func(cluster.Invalidation) { own.Add(1) })

	c := mustAdmin(t, a, "POST", "/consumers", `{"username":"alice"}`, 201)
	mustAdmin(t, a, "PATCH", "/consumers/alice", `{"username":"bob"}`, 200)
	mustAdmin(t, a, "DELETE", "/consumers/bob", "", 204)
	ws := defaultWorkspace(t, db)
	want := []string{"consumers:" + c["id"].(string) + ":::::" + ws,
		"consumers:alice:::::" + ws, "consumers:bob:::::" + ws}
	eventually(t, time.Second, "the consumer invalidations on B", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, k := range want {
			if !got[k] {
				return false
			}
		}
		return true
	})
	if n := own.Load(); n != 0 {
		t.Errorf("node A received %d invalidations of its own writes", n)
	}
}

// TestClusterPolling: with NOTIFY off, a change reaches node B by polling
// within db_update_frequency (1 s) + 1 s, honouring db_update_propagation.
func TestClusterPolling(t *testing.T) {
	db := pgkong.Bootstrapped(t)
	props := map[string]string{"db_update_frequency": "1"}
	a := clusterNode(t, db, props, gateway.WithoutNotify())
	b := clusterNode(t, db, props, gateway.WithoutNotify())
	up := upstream(t, "up")
	mustAdmin(t, a, "POST", "/services", `{"name":"s","url":"`+up.URL+`"}`, 201)
	mustAdmin(t, a, "POST", "/services/s/routes", `{"name":"r","paths":["/p"]}`, 201)
	t.Logf("create by polling: %v", propagation(t, 2*time.Second, "/p", "up", b))
	mustAdmin(t, a, "DELETE", "/routes/r", "", 204)
	t.Logf("delete by polling: %v", propagation(t, 2*time.Second, "/p", "", b))
}

// TestClusterPropagationDelay: with db_update_propagation = 1 s, events
// carry nbf = at + 1 s and node B applies them then, not before, even when
// woken by NOTIFY at once.
func TestClusterPropagationDelay(t *testing.T) {
	db := pgkong.Bootstrapped(t)
	props := map[string]string{"db_update_frequency": "1", "db_update_propagation": "1"}
	a, b := clusterNode(t, db, props), clusterNode(t, db, props)
	up := upstream(t, "up")
	mustAdmin(t, a, "POST", "/services", `{"name":"s","url":"`+up.URL+`"}`, 201)
	mustAdmin(t, a, "POST", "/services/s/routes", `{"paths":["/late"]}`, 201)
	took := propagation(t, 3*time.Second, "/late", "up", b)
	if took < 800*time.Millisecond {
		t.Errorf("node B applied the change after %v, before its nbf (1 s)", took)
	}
	t.Logf("with db_update_propagation 1 s: %v", took)
	conn := pgtest.Connect(t, db)
	defer conn.Close(context.Background())
	var delay, ttl float64
	err := conn.QueryRow(context.Background(), `SELECT EXTRACT(EPOCH FROM nbf - at)::float8,
		EXTRACT(EPOCH FROM expire_at - at)::float8 FROM cluster_events LIMIT 1`).Scan(&delay, &ttl)
	if err != nil || delay != 1 || ttl != 3600 {
		t.Errorf("cluster_events: nbf-at %v s, expire_at-at %v s, %v (want 1 and 3600)", delay, ttl, err)
	}
}

// cutProxy forwards TCP connections to a target until cut, which closes
// every connection and refuses new ones until restore.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	cutOff bool
	conns  map[net.Conn]bool
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(c)
	}
}

func (p *cutProxy) forward(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	if !p.track(c, up) {
		c.Close()
		up.Close()
		return
	}
	go func() { io.Copy(up, c); up.Close(); c.Close() }()
	io.Copy(c, up)
	c.Close()
	up.Close()
}

// track registers an open pair unless the proxy is cut.
func (p *cutProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cutOff {
		return false
	}
	for _, c := range conns {
		p.conns[c] = true
	}
	return true
}

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cutOff = true
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *cutProxy) restore() {
	p.mu.Lock()
	p.cutOff = false
	p.mu.Unlock()
}

// TestClusterOutage: node B reaches PostgreSQL through a proxy the test
// cuts. Meanwhile B serves a load on its configured route without a single
// failure, its Admin API writes fail clearly within pg_timeout, /status
// reports the database unreachable; once restored, B recovers by itself
// and receives a change node A made during the outage and one after.
func TestClusterOutage(t *testing.T) {
	db := pgkong.Bootstrapped(t)
	px := newCutProxy(t, db.Host+":"+strconv.Itoa(db.Port))
	viaProxy := db
	viaProxy.Host, viaProxy.Port = "127.0.0.1", px.ln.Addr().(*net.TCPAddr).Port
	props := map[string]string{"db_update_frequency": "1", "pg_timeout": "2000"}
	a := clusterNode(t, db, props)
	b := clusterNode(t, viaProxy, props)
	up := upstream(t, "up")
	mustAdmin(t, a, "POST", "/services", `{"name":"s","url":"`+up.URL+`"}`, 201)
	mustAdmin(t, a, "POST", "/services/s/routes", `{"paths":["/live"]}`, 201)
	propagation(t, time.Second, "/live", "up", b)

	px.cut()
	var failed, done atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 500 {
				res, err := http.Get(b.proxy + "/live")
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				if err != nil || res.StatusCode != 200 {
					failed.Add(1)
				}
				done.Add(1)
			}
		}()
	}

	begin := time.Now()
	status, _, body := call(t, "POST", b.admin+"/services", "application/json", `{"name":"down","url":"http://127.0.0.1:1"}`)
	if took := time.Since(begin); (status != 500 && status != 503) || took > 3*time.Second {
		t.Errorf("Admin write during the outage: %d %s after %v", status, body, took)
	} else {
		t.Logf("Admin write during the outage: %d %s after %v", status, body, took)
	}
	st := mustAdmin(t, b, "GET", "/status", "", 200)
	if st["database"].(map[string]any)["reachable"] != false {
		t.Errorf("/status during the outage: %v", st["database"])
	}
	if status, body := get(t, b.statusBase+"/status/ready"); status != 503 || !strings.Contains(body, `"failed to connect to database"`) {
		t.Errorf("/status/ready during the outage: %d %s", status, body)
	}
	mustAdmin(t, a, "POST", "/services/s/routes", `{"paths":["/during"]}`, 201)
	wg.Wait()
	if failed.Load() != 0 {
		t.Errorf("%d of %d requests failed during the outage", failed.Load(), done.Load())
	}

	px.restore()
	t.Logf("change made during the outage: %v after restore", propagation(t, 5*time.Second, "/during", "up", b))
	mustAdmin(t, a, "POST", "/services/s/routes", `{"paths":["/after"]}`, 201)
	t.Logf("change after recovery: %v", propagation(t, time.Second, "/after", "up", b))
	eventually(t, 5*time.Second, "B's Admin API writes", func() bool {
		status, _, _ := call(t, "POST", b.admin+"/services", "application/json", `{"name":"back","url":"http://127.0.0.1:1"}`)
		return status == 201
	})
	propagation(t, time.Second, "/live", "up", a, b)
}
