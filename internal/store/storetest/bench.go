package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// BenchOpenFunc returns a new, empty backend for a benchmark.
type BenchOpenFunc func(b *testing.B, c *entities.Catalog) store.Backend

// benchRows is the table size the read benchmarks page through.
const benchRows = 10000

// Benchmark measures the DAO over a backend: single-entity write
// transactions (the Admin API's shape), a bulk load of benchRows rows
// straight into the backend (a DB-less reload), lookups, and pages of 100
// over benchRows consumers, unfiltered, by tag and by foreign key.
func Benchmark(b *testing.B, open BenchOpenFunc) {
	b.Run("Insert", func(b *testing.B) {
		db, ctx := benchDB(b, open)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			in := map[string]any{"username": fmt.Sprintf("user-%d", i), "tags": []any{"a", "b"}}
			i++
			err := db.Update(ctx, func(tx *store.Txn) error {
				_, err := tx.Insert(ctx, "consumers", in)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("InsertBatch100", func(b *testing.B) {
		db, ctx := benchDB(b, open)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			err := db.Update(ctx, func(tx *store.Txn) error {
				for range 100 {
					in := map[string]any{"username": fmt.Sprintf("user-%d", i), "tags": []any{"a", "b"}}
					i++
					if _, err := tx.Insert(ctx, "consumers", in); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("BulkLoad10k", func(b *testing.B) {
		db, ctx := benchDB(b, open)
		rows := make([]store.Row, benchRows)
		for i := range rows {
			row, err := entities.Consumers.Validate(map[string]any{"username": fmt.Sprintf("user-%d", i)}, schema.OpInsert)
			if err != nil {
				b.Fatal(err)
			}
			rows[i] = row
		}
		b.ReportAllocs()
		for b.Loop() {
			err := db.Backend().Update(ctx, func(tx store.Tx) error {
				if err := tx.Truncate(ctx, "consumers"); err != nil {
					return err
				}
				for _, row := range rows {
					if err := tx.Insert(ctx, "consumers", row, ""); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})

	db, ctx := benchDB(b, open)
	service := benchFill(b, db, ctx)
	reads := []struct {
		name string
		fn   func(tx *store.Txn) error
	}{
		{"GetByName", func(tx *store.Txn) error {
			_, err := tx.GetBy(ctx, "consumers", "username", "user-5000")
			return err
		}},
		{"Page100", func(tx *store.Txn) error { return pageTwice(ctx, tx, "consumers", store.Query{Size: 100}) }},
		{"Page100Tags", func(tx *store.Txn) error {
			return pageTwice(ctx, tx, "consumers", store.Query{Size: 100, Tags: []string{"t3", "all"}})
		}},
		{"Page100Foreign", func(tx *store.Txn) error {
			return pageTwice(ctx, tx, "routes", store.Query{Size: 100, ForeignField: "service", ForeignID: service})
		}},
	}
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := db.View(ctx, r.fn); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchDB(b *testing.B, open BenchOpenFunc) (*store.DB, context.Context) {
	b.Helper()
	c := Catalog()
	db := store.New(open(b, c), c)
	b.Cleanup(func() { db.Close() })
	return db, b.Context()
}

// benchFill stores benchRows consumers (one in ten tagged "t3") and, under
// one of ten services, benchRows/10 of benchRows routes. It returns that
// service's id.
func benchFill(b *testing.B, db *store.DB, ctx context.Context) string {
	b.Helper()
	var services []string
	err := db.Update(ctx, func(tx *store.Txn) error {
		for i := range 10 {
			s, err := tx.Insert(ctx, "services", map[string]any{"name": fmt.Sprintf("s%d", i), "host": "example.com"})
			if err != nil {
				return err
			}
			services = append(services, s["id"].(string))
		}
		for i := range benchRows {
			tags := []any{"all", fmt.Sprintf("t%d", i%10)}
			if _, err := tx.Insert(ctx, "consumers", map[string]any{"username": fmt.Sprintf("user-%d", i), "tags": tags}); err != nil {
				return err
			}
			route := map[string]any{"paths": []any{fmt.Sprintf("/%d", i)}, "service": map[string]any{"id": services[i%10]}}
			if _, err := tx.Insert(ctx, "routes", route); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return services[3]
}

// pageTwice reads a first page and the one after it, so offsets are used.
func pageTwice(ctx context.Context, tx *store.Txn, entity string, q store.Query) error {
	p, err := tx.Page(ctx, entity, q)
	if err != nil {
		return err
	}
	if len(p.Rows) != q.Size || p.Offset == "" {
		return fmt.Errorf("page of %d rows, offset %q", len(p.Rows), p.Offset)
	}
	q.Offset = p.Offset
	_, err = tx.Page(ctx, entity, q)
	return err
}
