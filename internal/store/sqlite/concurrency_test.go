package sqlite_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/sqlite"
	"github.com/silverback-gw/silverback/internal/store/storetest"
)

// TestTwoBackendsOneFile: two Backends on one file (a running node and a
// `db_import`) write at once; busy_timeout and IMMEDIATE transactions
// make them wait for each other instead of failing with SQLITE_BUSY, and
// each sees the other's rows.
func TestTwoBackendsOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	c := storetest.Catalog()
	var dbs []*store.DB
	for range 2 {
		b, err := sqlite.Open(path, c)
		if err != nil {
			t.Fatal(err)
		}
		db := store.New(b, c)
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	const perWriter = 40
	var wg sync.WaitGroup
	errs := make(chan error, 4*perWriter)
	for w := range 4 {
		db := dbs[w%2]
		wg.Go(func() {
			for i := range perWriter {
				errs <- db.Update(t.Context(), func(tx *store.Txn) error {
					_, err := tx.Insert(t.Context(), "consumers", map[string]any{"username": fmt.Sprintf("w%d-%d", w, i)})
					return err
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	for i, db := range dbs {
		n := 0
		err := db.View(t.Context(), func(tx *store.Txn) error {
			return tx.Each(t.Context(), "consumers", store.Query{}, func(store.Row) error { n++; return nil })
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != 4*perWriter {
			t.Errorf("backend %d sees %d consumers, want %d", i, n, 4*perWriter)
		}
	}
}
