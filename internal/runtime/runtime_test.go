package runtime

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/router"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/memory"
	"github.com/silverback-gw/silverback/internal/store/sqlite"
)

func newDB(t testing.TB) *store.DB {
	t.Helper()
	c := catalog(t)
	return store.New(memory.New(c), c)
}

func newSQLiteDB(t testing.TB) *store.DB {
	t.Helper()
	c := catalog(t)
	b, err := sqlite.Open(filepath.Join(t.TempDir(), "test.db"), c)
	if err != nil {
		t.Fatal(err)
	}
	db := store.New(b, c)
	t.Cleanup(func() { db.Close() })
	return db
}

func catalog(t testing.TB) *entities.Catalog {
	return entities.NewCatalog(testSchemas{})
}

func insert(t testing.TB, db *store.DB, entity string, row map[string]any) map[string]any {
	t.Helper()
	var out map[string]any
	err := db.Update(context.Background(), func(tx *store.Txn) error {
		var err error
		out, err = tx.Insert(context.Background(), entity, row)
		return err
	})
	if err != nil {
		t.Fatalf("insert %s: %v", entity, err)
	}
	return out
}

func match(t *testing.T, s *Snapshot, host, path string) (*Binding, bool) {
	t.Helper()
	m, ok := s.Router.Match(&router.Request{Method: "GET", Host: host, Path: path, Headers: http.Header{}, Scheme: "http", Port: 8000})
	if !ok {
		return nil, false
	}
	return m.Route.Payload.(*Binding), true
}

func TestBuild(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	svc := insert(t, db, "services", map[string]any{"name": "a", "url": "http://127.0.0.1:9/base"})
	off := insert(t, db, "services", map[string]any{"name": "off", "host": "127.0.0.1", "enabled": false})
	insert(t, db, "routes", map[string]any{"name": "r1", "paths": []any{"/a"}, "service": map[string]any{"id": svc["id"]}})
	insert(t, db, "routes", map[string]any{"name": "r2", "paths": []any{"/off"}, "service": map[string]any{"id": off["id"]}})
	insert(t, db, "routes", map[string]any{"name": "r3", "paths": []any{"/none"}})
	up := insert(t, db, "upstreams", map[string]any{"name": "up"})
	insert(t, db, "targets", map[string]any{"target": "127.0.0.1:1", "upstream": map[string]any{"id": up["id"]}})

	s, err := Build(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	b, ok := match(t, s, "x", "/a/b")
	if !ok || b.Service == nil || b.Service.Path != "/base" || b.Route.Name != "r1" {
		t.Fatalf("/a/b matched %+v, %v", b, ok)
	}
	if _, ok := match(t, s, "x", "/off"); ok {
		t.Error("a route of a disabled service must not be routed")
	}
	if b, ok := match(t, s, "x", "/none"); !ok || b.Service != nil {
		t.Errorf("a route without service is routed with a nil service, got %+v, %v", b, ok)
	}
	if u := s.Upstreams["up"]; u == nil || len(u.Targets) != 1 || u.Targets[0].Target != "127.0.0.1:1" {
		t.Errorf("upstream targets: %+v", u)
	}
}

// TestBuildStreamRoutes: stream routes reach the stream router with their
// sources and destinations, and stay out of the HTTP router.
func TestBuildStreamRoutes(t *testing.T) {
	db := newDB(t)
	svc := insert(t, db, "services", map[string]any{"name": "echo", "url": "tcp://127.0.0.1:9"})
	insert(t, db, "routes", map[string]any{"name": "tcp", "protocols": []any{"tcp"},
		"sources":      []any{map[string]any{"ip": "10.0.0.0/8"}},
		"destinations": []any{map[string]any{"port": 9000}},
		"service":      map[string]any{"id": svc["id"]}})
	s, err := Build(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	req := &router.StreamRequest{Source: netip.MustParseAddrPort("10.1.1.1:5000"), Destination: netip.MustParseAddrPort("127.0.0.1:9000")}
	rt, ok := s.StreamRouter.Match(req)
	if !ok || rt.Payload.(*Binding).Service.Protocol != "tcp" || rt.Payload.(*Binding).Route.Name != "tcp" {
		t.Fatalf("stream match %+v, %v", rt, ok)
	}
	req.Destination = netip.MustParseAddrPort("127.0.0.1:9001")
	if _, ok := s.StreamRouter.Match(req); ok {
		t.Error("the route's destination port was not checked")
	}
	if _, ok := match(t, s, "x", "/"); ok {
		t.Error("a stream route reached the HTTP router")
	}
}

func TestHolderFollowsChanges(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db := newDB(t)
	h := NewHolder(func() *store.DB { return db }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	db.Subscribe(h.OnEvents)
	if err := h.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	go h.Run(ctx)
	first := h.Load()
	if _, ok := match(t, first, "x", "/new"); ok {
		t.Fatal("empty configuration matched")
	}
	insert(t, db, "routes", map[string]any{"paths": []any{"/new"}})
	if err := h.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := match(t, h.Load(), "x", "/new"); !ok {
		t.Error("route created in the store is not routed after Sync")
	}
	if _, ok := match(t, first, "x", "/new"); ok {
		t.Error("the old snapshot changed: snapshots must be immutable")
	}
	if h.Load().Generation <= first.Generation {
		t.Error("generation did not advance")
	}
}

// BenchmarkBuild10kRoutes measures a full rebuild with 10,000 routes (a
// third of them regex routes) over 1,000 services (target: under 50 ms),
// on each store.
func BenchmarkBuild10kRoutes(b *testing.B) {
	b.Run("memory", func(b *testing.B) { benchmarkBuild(b, newDB(b)) })
	b.Run("sqlite", func(b *testing.B) { benchmarkBuild(b, newSQLiteDB(b)) })
}

func benchmarkBuild(b *testing.B, db *store.DB) {
	ctx := context.Background()
	fill10kRoutes(b, db)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(ctx, db); err != nil {
			b.Fatal(err)
		}
	}
}

// fill10kRoutes stores 1,000 services with 10 routes each: prefix, host
// and regex routes in equal parts.
func fill10kRoutes(b *testing.B, db *store.DB) {
	ctx := context.Background()
	err := db.Update(ctx, func(tx *store.Txn) error {
		for i := range 1000 {
			svc, err := tx.Insert(ctx, "services", map[string]any{"name": fmt.Sprintf("s%d", i), "host": "127.0.0.1"})
			if err != nil {
				return err
			}
			for j := range 10 {
				n := i*10 + j
				route := map[string]any{"service": map[string]any{"id": svc["id"]}}
				switch n % 3 {
				case 0:
					route["paths"] = []any{fmt.Sprintf("/p%d", n)}
				case 1:
					route["hosts"] = []any{fmt.Sprintf("h%d.example.com", n)}
				default:
					route["paths"] = []any{fmt.Sprintf("~/r%d/\\d+$", n)}
				}
				if _, err := tx.Insert(ctx, "routes", route); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
