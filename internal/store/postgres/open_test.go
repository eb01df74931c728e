package postgres

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/storetest"
)

// TestSchema: with pg_schema set, bootstrap creates that schema and its
// tables there, Open uses them, and reset empties only that schema.
func TestSchema(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cfg := newDatabase(t)
	cfg.Schema = "kong Schema"
	bootstrap(t, cfg)
	b, err := Open(ctx, cfg, storetest.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Update(ctx, func(tx store.Tx) error {
		return tx.Insert(ctx, "consumers", store.Row{"id": "3f4b9a52-8f2e-4c1e-9d8c-2a1b3c4d5e6f", "username": "u"}, "")
	})
	if err != nil {
		t.Fatal(err)
	}
	conn := connect(t, cfg)
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM "kong Schema".consumers`).Scan(&n); err != nil || n != 1 {
		t.Errorf("consumers in the schema: %d, %v", n, err)
	}
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("tables in public: %d, %v", n, err)
	}
	if err := newMigrator(t, cfg).Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'kong Schema'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("tables in the schema after reset: %d, %v", n, err)
	}
}

// TestNodes: two nodes (backends) writing one database at once keep unique
// fields unique: of the nodes inserting each name, exactly one succeeds.
// The second node reads through a read replica pool (the same server).
func TestNodes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cfg := newDatabase(t)
	bootstrap(t, cfg)
	c := storetest.Catalog()
	ro := cfg
	nodes := make([]*store.DB, 2)
	for i := range nodes {
		b, err := Open(ctx, cfg, c, WithReadReplica(&ro))
		if err != nil {
			t.Fatal(err)
		}
		nodes[i] = store.New(b, c)
		defer nodes[i].Close()
	}
	const names = 20
	var wg sync.WaitGroup
	errs := make([][]error, len(nodes))
	for i, db := range nodes {
		errs[i] = make([]error, names)
		wg.Go(func() {
			for n := range names {
				errs[i][n] = db.Update(ctx, func(tx *store.Txn) error {
					_, err := tx.Insert(ctx, "consumers", map[string]any{"username": fmt.Sprintf("user-%d", n)})
					return err
				})
			}
		})
	}
	wg.Wait()
	for n := range names {
		var ok int
		for i := range nodes {
			var e *store.Error
			switch err := errs[i][n]; {
			case err == nil:
				ok++
			case !errors.As(err, &e) || e.Code != store.CodeUniqueViolation:
				t.Errorf("node %d, user-%d: %v", i, n, err)
			}
		}
		if ok != 1 {
			t.Errorf("user-%d inserted %d times", n, ok)
		}
	}
	err := nodes[1].View(ctx, func(tx *store.Txn) error {
		p, err := tx.Page(ctx, "consumers", store.Query{Size: 1000})
		if err == nil && len(p.Rows) != names {
			err = fmt.Errorf("%d consumers, want %d", len(p.Rows), names)
		}
		return err
	})
	if err != nil {
		t.Error(err)
	}
}
