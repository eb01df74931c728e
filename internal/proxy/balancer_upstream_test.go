package proxy_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	lb "github.com/silverback-gw/silverback/internal/balancer"
	"github.com/silverback-gw/silverback/internal/proxy"
)

// switchable is an upstream on 127.0.0.1 that answers 500 while failing
// is set, and blocks requests to /slow until release is closed.
type switchable struct {
	*httptest.Server
	failing atomic.Bool
	count   atomic.Int64
	slow    atomic.Int64
	release chan struct{}
}

func newSwitchable(t *testing.T) *switchable {
	u := &switchable{release: make(chan struct{})}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.count.Add(1)
		if r.URL.Path == "/slow" {
			u.slow.Add(1)
			<-u.release
		}
		if u.failing.Load() {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(func() {
		select {
		case <-u.release:
		default:
			close(u.release)
		}
		u.Close()
	})
	return u
}

func (u *switchable) target() string { return u.Listener.Addr().String() }

// balancedEnv starts a proxy whose balancers are set, following the
// snapshots, with an upstream "lb.test" over targets routed at "/".
func balancedEnv(t *testing.T, upstream map[string]any, targets ...string) (e *env, set *lb.Set, upstreamID string) {
	set = lb.NewSet(lb.Options{Logger: quietLogger()})
	t.Cleanup(func() { set.Close() })
	e = newEnv(t, func(o *proxy.Options) { o.Balancers = set })
	upstream["name"] = "lb.test"
	upstreamID = e.insert("upstreams", upstream)
	for _, tg := range targets {
		e.insert("targets", map[string]any{"upstream": map[string]any{"id": upstreamID}, "target": tg})
	}
	e.route(e.insert("services", map[string]any{"host": "lb.test"}), map[string]any{"paths": []any{"/"}})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go set.Run(ctx, e.holder, 10*time.Millisecond)
	return e, set, upstreamID
}

// targetHealthy reports whether target's first address is "healthy",
// "unhealthy", or "" when it has none.
func targetHealthy(set *lb.Set, upstreamID, target string) string {
	st, _ := set.Status(upstreamID)
	for _, t := range st.Targets {
		if t.Target == target && len(t.Addresses) > 0 {
			if t.Addresses[0].Healthy {
				return "healthy"
			}
			return "unhealthy"
		}
	}
	return ""
}

// statuses sends n requests to path and counts the statuses.
func (e *env) statuses(n int, path string) map[int]int {
	codes := map[int]int{}
	for range n {
		res, _ := e.do(request{path: path})
		codes[res.StatusCode]++
	}
	return codes
}

func TestPassiveHealthThroughProxy(t *testing.T) {
	t.Parallel()
	good, bad := newSwitchable(t), newSwitchable(t)
	bad.failing.Store(true)
	e, set, up := balancedEnv(t, map[string]any{"healthchecks": map[string]any{"passive": map[string]any{
		"unhealthy": map[string]any{"http_failures": 2},
	}}}, good.target(), bad.target())

	// Round-robin sends every other request to the failing target until
	// its second 500 marks it unhealthy; then it gets no traffic.
	e.statuses(4, "/")
	if n := bad.count.Load(); n != 2 {
		t.Fatalf("the failing target got %d requests, want 2", n)
	}
	if codes := e.statuses(20, "/"); codes[200] != 20 {
		t.Fatalf("statuses %v, want only 200", codes)
	}
	if h := targetHealthy(set, up, bad.target()); h != "unhealthy" {
		t.Fatalf("the failing target is %s", h)
	}

	// It recovers, but passive checks cannot see it: a manual call brings
	// it back.
	bad.failing.Store(false)
	if err := set.SetTargetHealth(up, bad.target(), "", true); err != nil {
		t.Fatal(err)
	}
	before := bad.count.Load()
	if codes := e.statuses(10, "/"); codes[200] != 10 || bad.count.Load()-before != 5 {
		t.Fatalf("statuses %v, recovered target got %d of 10", codes, bad.count.Load()-before)
	}

	// No healthy target left: Kong's 503.
	for _, tg := range []string{good.target(), bad.target()} {
		if err := set.SetTargetHealth(up, tg, "", false); err != nil {
			t.Fatal(err)
		}
	}
	res, body := e.do(request{path: "/"})
	if res.StatusCode != 503 || !strings.Contains(body, "failure to get a peer from the ring-balancer") {
		t.Fatalf("%d %q", res.StatusCode, body)
	}
}

func TestActiveHealthThroughProxy(t *testing.T) {
	t.Parallel()
	good, bad := newSwitchable(t), newSwitchable(t)
	e, set, up := balancedEnv(t, map[string]any{"healthchecks": map[string]any{"active": map[string]any{
		"http_path": "/health",
		"healthy":   map[string]any{"interval": 0.02, "successes": 1},
		"unhealthy": map[string]any{"interval": 0.02, "http_failures": 1},
	}}}, good.target(), bad.target())
	health := func() string { return targetHealthy(set, up, bad.target()) }
	if !eventually(t, 5*time.Second, func() bool { return health() == "healthy" }) {
		t.Fatalf("never probed healthy: %q", health())
	}

	bad.failing.Store(true)
	if !eventually(t, 5*time.Second, func() bool { return health() == "unhealthy" }) {
		t.Fatal("the failing target was not marked unhealthy")
	}
	if codes := e.statuses(10, "/"); codes[200] != 10 {
		t.Fatalf("statuses %v, want only 200", codes)
	}

	bad.failing.Store(false)
	if !eventually(t, 5*time.Second, func() bool { return health() == "healthy" }) {
		t.Fatal("the recovered target was not marked healthy")
	}
	before := bad.count.Load()
	if !eventually(t, 5*time.Second, func() bool { e.statuses(2, "/"); return bad.count.Load() > before }) {
		t.Fatal("the recovered target gets no traffic")
	}
}

func TestWeightedRoundRobinThroughProxy(t *testing.T) {
	t.Parallel()
	a, b := newSwitchable(t), newSwitchable(t)
	set := lb.NewSet(lb.Options{})
	t.Cleanup(func() { set.Close() })
	e := newEnv(t, func(o *proxy.Options) { o.Balancers = set })
	up := e.insert("upstreams", map[string]any{"name": "w.test"})
	e.insert("targets", map[string]any{"upstream": map[string]any{"id": up}, "target": a.target(), "weight": 30})
	e.insert("targets", map[string]any{"upstream": map[string]any{"id": up}, "target": b.target(), "weight": 10})
	e.route(e.insert("services", map[string]any{"host": "w.test"}), map[string]any{"paths": []any{"/"}})
	e.statuses(200, "/")
	if got := [2]int64{a.count.Load(), b.count.Load()}; got != [2]int64{150, 50} {
		t.Fatalf("requests %v, want [150 50]", got)
	}
}

func TestLeastConnectionsThroughProxy(t *testing.T) {
	t.Parallel()
	x, y := newSwitchable(t), newSwitchable(t)
	e, _, _ := balancedEnv(t, map[string]any{"algorithm": "least-connections"}, x.target(), y.target())
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequest("GET", e.srv.URL+"/slow", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	if !eventually(t, 5*time.Second, func() bool { return x.slow.Load()+y.slow.Load() == 1 }) {
		t.Fatal("the slow request did not arrive")
	}
	busy, idle := x, y
	if y.slow.Load() == 1 {
		busy, idle = y, x
	}
	if codes := e.statuses(10, "/"); codes[200] != 10 || idle.count.Load() != 10 {
		t.Fatalf("statuses %v; the idle target got %d of 10", codes, idle.count.Load())
	}
	close(busy.release)
	<-done
}

func TestConsistentHashingThroughProxy(t *testing.T) {
	t.Parallel()
	ups := []*switchable{newSwitchable(t), newSwitchable(t), newSwitchable(t)}
	targets := []string{ups[0].target(), ups[1].target(), ups[2].target()}
	counts := func() [3]int64 {
		return [3]int64{ups[0].count.Load(), ups[1].count.Load(), ups[2].count.Load()}
	}
	sub := func(a, b [3]int64) [3]int64 { return [3]int64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
	onlyOne := func(d [3]int64, n int64) int {
		for i, c := range d {
			if c == n {
				return i
			}
		}
		return -1
	}

	t.Run("ip", func(t *testing.T) {
		e, _, _ := balancedEnv(t, map[string]any{"hash_on": "ip"}, targets...)
		before := counts()
		e.statuses(12, "/")
		first := onlyOne(sub(counts(), before), 12)
		if first < 0 {
			t.Fatalf("one client spread over %v", sub(counts(), before))
		}
		// A rebuild for an unrelated change keeps the mapping.
		e.route(e.service("http://127.0.0.1:1", nil), map[string]any{"paths": []any{"/elsewhere"}})
		before = counts()
		e.statuses(6, "/")
		if got := onlyOne(sub(counts(), before), 6); got != first {
			t.Fatalf("after a rebuild the client went to %v", sub(counts(), before))
		}
	})
	t.Run("path", func(t *testing.T) {
		e, _, _ := balancedEnv(t, map[string]any{"hash_on": "path"}, targets...)
		seen := map[int]bool{}
		for i := range 30 {
			path := "/p" + string(rune('a'+i%26)) + string(rune('a'+i/26))
			before := counts()
			e.statuses(3, path)
			got := onlyOne(sub(counts(), before), 3)
			if got < 0 {
				t.Fatalf("%s spread over %v", path, sub(counts(), before))
			}
			seen[got] = true
		}
		if len(seen) != 3 {
			t.Fatalf("30 paths reached %d targets", len(seen))
		}
	})
}

func TestLatencyThroughProxy(t *testing.T) {
	t.Parallel()
	fast := newSwitchable(t)
	var slowHits atomic.Int64
	slowSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slowHits.Add(1)
		time.Sleep(150 * time.Millisecond) // the latency under test, far above any noise on the fast one
	}))
	t.Cleanup(slowSrv.Close)
	e, _, _ := balancedEnv(t, map[string]any{"algorithm": "latency"}, fast.target(), slowSrv.Listener.Addr().String())
	if codes := e.statuses(30, "/"); codes[200] != 30 {
		t.Fatalf("statuses %v", codes)
	}
	// Both are sampled once or twice; then the faster always wins the
	// best of two.
	if n := slowHits.Load(); n > 4 || fast.count.Load() < 26 {
		t.Fatalf("slow target got %d of 30", n)
	}
}
