package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/router"
	"github.com/silverback-gw/silverback/internal/store"
)

// TestEventsKeepModelEqualToStore applies random writes through the DAO and
// checks that the model the holder keeps from change events equals what a
// full read of the store gives.
func TestEventsKeepModelEqualToStore(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	h := NewHolder(func() *store.DB { return db }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	db.Subscribe(h.OnEvents)
	if err := h.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var services, routes, upstreams []string
	pick := func(ids []string) string { return ids[rng.IntN(len(ids))] }
	for i := range 300 {
		err := db.Update(ctx, func(tx *store.Txn) error {
			switch op := rng.IntN(8); {
			case op == 0 || len(services) == 0:
				s, err := tx.Insert(ctx, "services", map[string]any{"host": fmt.Sprintf("h%d", i)})
				if err == nil {
					services = append(services, s["id"].(string))
				}
				return err
			case op == 1:
				_, err := tx.Update(ctx, "services", pick(services), map[string]any{"enabled": rng.IntN(2) == 0, "port": int64(i)})
				return err
			case op == 2 || op == 3 || len(routes) == 0:
				r, err := tx.Insert(ctx, "routes", map[string]any{"paths": []any{fmt.Sprintf("/r%d", i)},
					"service": map[string]any{"id": pick(services)}})
				if err == nil {
					routes = append(routes, r["id"].(string))
				}
				return err
			case op == 4:
				_, err := tx.Update(ctx, "routes", pick(routes), map[string]any{"paths": []any{fmt.Sprintf("/u%d", i)}})
				return err
			case op == 5:
				j := rng.IntN(len(routes))
				_, err := tx.Delete(ctx, "routes", routes[j])
				routes = append(routes[:j], routes[j+1:]...)
				return err
			case op == 6 || len(upstreams) == 0:
				u, err := tx.Insert(ctx, "upstreams", map[string]any{"name": fmt.Sprintf("u%d", i)})
				if err == nil {
					upstreams = append(upstreams, u["id"].(string))
				}
				return err
			default:
				_, err := tx.Insert(ctx, "targets", map[string]any{"target": fmt.Sprintf("127.0.0.1:%d", 1000+i),
					"upstream": map[string]any{"id": pick(upstreams)}})
				return err
			}
		})
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if i%50 == 0 {
			if err := h.update(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := h.update(ctx); err != nil {
		t.Fatal(err)
	}
	want, err := loadModel(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, h.model, cmp.AllowUnexported(model{}, tlsModel{}),
		cmpopts.IgnoreFields(model{}, "changed")); diff != "" {
		t.Errorf("model from events differs from the store (-store +events):\n%s", diff)
	}
}

// BenchmarkRebuildAfterChange10kRoutes measures what one route change
// costs with 10,000 routes (a third regex) loaded: the event applied to the
// model and the router compiled again.
func BenchmarkRebuildAfterChange10kRoutes(b *testing.B) {
	ctx := context.Background()
	db := newDB(b)
	fill10kRoutes(b, db)
	h := NewHolder(func() *store.DB { return db }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	db.Subscribe(h.OnEvents)
	if err := h.Rebuild(ctx); err != nil {
		b.Fatal(err)
	}
	var route store.Row
	err := db.View(ctx, func(tx *store.Txn) error {
		p, err := tx.Page(ctx, "routes", store.Query{Size: 1})
		route = p.Rows[0]
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	id := route["id"].(string)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		err := db.Update(ctx, func(tx *store.Txn) error {
			_, err := tx.Update(ctx, "routes", id, map[string]any{"paths": []any{fmt.Sprintf("/changed%d", i)}})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := h.update(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// idsCompiler compiles plugins into their ids and enabled flags, in order.
type idsCompiler struct{}

func (idsCompiler) Compile(ps []*entities.Plugin) any {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = fmt.Sprint(p.ID, p.Enabled)
	}
	return out
}

// TestSnapshotFromChangesEqualsFull makes random writes of every kind the
// snapshot reads and checks, after each batch, that the snapshot the holder
// updated from the changes equals one compiled from a full read of the
// store: same services, upstreams, TLS, plugins, bindings and route
// errors, and routers that send every route's requests to the same route.
func TestSnapshotFromChangesEqualsFull(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	h := NewHolder(func() *store.DB { return db }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	h.SetPluginCompiler(idsCompiler{})
	db.Subscribe(h.OnEvents)
	if err := h.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var services, routes, upstreams, plugins []string
	pick := func(ids []string) string { return ids[rng.IntN(len(ids))] }
	write := func(i int) func(tx *store.Txn) error {
		return func(tx *store.Txn) error {
			var row map[string]any
			var err error
			switch op := rng.IntN(12); {
			case op == 0 || len(services) == 0:
				row, err = tx.Insert(ctx, "services", map[string]any{"host": fmt.Sprintf("h%d", i)})
				if err == nil {
					services = append(services, row["id"].(string))
				}
			case op == 1:
				_, err = tx.Update(ctx, "services", pick(services), map[string]any{"enabled": rng.IntN(3) > 0, "port": int64(1 + i)})
			case op == 2 || op == 3 || len(routes) == 0:
				route := map[string]any{"paths": []any{fmt.Sprintf("/r%d", i%7)}, "service": map[string]any{"id": pick(services)}}
				if rng.IntN(3) == 0 { // a stream route
					route = map[string]any{"protocols": []any{"tcp"}, "destinations": []any{map[string]any{"port": 9000 + i%5}},
						"service": map[string]any{"id": pick(services)}}
				}
				row, err = tx.Insert(ctx, "routes", route)
				if err == nil {
					routes = append(routes, row["id"].(string))
				}
			case op == 4:
				_, err = tx.Update(ctx, "routes", pick(routes), map[string]any{"paths": []any{fmt.Sprintf("/u%d", i%5), "~/x"}})
			case op == 5:
				_, err = tx.Update(ctx, "routes", pick(routes), map[string]any{"service": map[string]any{"id": pick(services)}})
			case op == 6:
				j := rng.IntN(len(routes))
				if _, err = tx.Delete(ctx, "routes", routes[j]); err == nil {
					routes = append(routes[:j], routes[j+1:]...)
				}
			case op == 7 || len(upstreams) == 0:
				row, err = tx.Insert(ctx, "upstreams", map[string]any{"name": fmt.Sprintf("u%d", i)})
				if err == nil {
					upstreams = append(upstreams, row["id"].(string))
				}
			case op == 8:
				_, err = tx.Insert(ctx, "targets", map[string]any{"target": fmt.Sprintf("127.0.0.1:%d", 1000+i),
					"upstream": map[string]any{"id": pick(upstreams)}})
			case op == 9 || len(plugins) == 0:
				row, err = tx.Insert(ctx, "plugins", map[string]any{"name": "runtime-test",
					"route": map[string]any{"id": pick(routes)}})
				if err == nil {
					plugins = append(plugins, row["id"].(string))
				}
			case op == 10:
				_, err = tx.Update(ctx, "plugins", pick(plugins), map[string]any{"enabled": rng.IntN(2) == 0})
			default: // a certificate, for the TLS part
				certPEM, keyPEM := testPair(t)
				_, err = tx.Insert(ctx, "certificates", map[string]any{"cert": certPEM, "key": keyPEM,
					"snis": []any{fmt.Sprintf("s%d.test", i)}})
			}
			return err
		}
	}
	for i := range 400 {
		if err := db.Update(ctx, write(i)); err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Logf("write %d refused: %v", i, err) // e.g. a stream route given paths
		}
		if rng.IntN(3) > 0 {
			continue
		}
		if err := h.update(ctx); err != nil {
			t.Fatal(err)
		}
		m, err := loadModel(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		sameSnapshot(t, i, h.Load(), m.compile(idsCompiler{}, nil))
	}
}

// sameSnapshot fails the test unless got and want hold the same
// configuration.
func sameSnapshot(t *testing.T, step int, got, want *Snapshot) {
	t.Helper()
	for name, pair := range map[string][2]any{
		"services":  {want.Services, got.Services},
		"upstreams": {want.Upstreams, got.Upstreams},
		"tls":       {want.TLS, got.TLS},
		"plugins":   {want.Plugins, got.Plugins},
		"bindings":  {want.bindings, got.bindings},
	} {
		if diff := cmp.Diff(pair[0], pair[1]); diff != "" {
			t.Fatalf("step %d: %s differ (-full +from changes):\n%s", step, name, diff)
		}
	}
	if fmt.Sprint(got.RouteErrors) != fmt.Sprint(want.RouteErrors) {
		t.Fatalf("step %d: route errors %v, want %v", step, got.RouteErrors, want.RouteErrors)
	}
	matched := func(s *Snapshot, path string, port uint16) (http, stream string) {
		if m, ok := s.Router.Match(&router.Request{Method: "GET", Host: "x", Path: path, Scheme: "http", Port: 8000}); ok {
			http = m.Route.ID
		}
		if rt, ok := s.StreamRouter.Match(&router.StreamRequest{Source: netip.MustParseAddrPort("10.0.0.1:5000"),
			Destination: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port)}); ok {
			stream = rt.ID
		}
		return http, stream
	}
	for i := range 7 {
		for _, path := range []string{fmt.Sprintf("/r%d", i), fmt.Sprintf("/u%d", i), "/x"} {
			gh, gs := matched(got, path, uint16(9000+i))
			wh, ws := matched(want, path, uint16(9000+i))
			if gh != wh || gs != ws {
				t.Fatalf("step %d: %s and port %d matched %q and %q, want %q and %q", step, path, 9000+i, gh, gs, wh, ws)
			}
		}
	}
}
