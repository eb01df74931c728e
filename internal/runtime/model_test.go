package runtime

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

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
	if diff := cmp.Diff(want, h.model, cmp.AllowUnexported(model{}, tlsModel{})); diff != "" {
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
