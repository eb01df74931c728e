package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/silverback-gw/silverback/internal/store"
)

// snapshot returns every row of the given tables, for before/after checks.
func (h *harness) snapshot(tables ...string) map[string][]store.Row {
	h.t.Helper()
	out := map[string][]store.Row{}
	for _, tb := range tables {
		out[tb] = h.all(tb, store.Query{})
	}
	return out
}

// testRollback: a transaction that fails, at any step and for any reason,
// leaves every table, index and event stream as it was.
func testRollback(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	svc := h.insert("services", `{"name":"s1","host":"example.com"}`)
	sid := svc["id"].(string)
	route := h.insert("routes", `{"name":"r1","paths":["/"],"service":{"id":"`+sid+`"}}`)
	plugin := h.insert("plugins", `{"name":"x-test","route":{"id":"`+route["id"].(string)+`"}}`)
	cert := h.insert("certificates", certificateBody(t, `"snis":["a.test"]`))
	tables := []string{"services", "routes", "plugins", "certificates", "snis", "consumers"}
	boom := errors.New("boom")
	tests := []struct {
		name string
		fn   func(tx *store.Txn) error
		want error // nil: any *store.Error
	}{
		{"second insert invalid", func(tx *store.Txn) error {
			if _, err := tx.Insert(h.ctx, "consumers", obj(t, `{"username":"ok"}`)); err != nil {
				return err
			}
			_, err := tx.Insert(h.ctx, "consumers", obj(t, `{"custom_id":7}`))
			return err
		}, nil},
		{"second insert duplicates the first", func(tx *store.Txn) error {
			if _, err := tx.Insert(h.ctx, "consumers", obj(t, `{"username":"dup"}`)); err != nil {
				return err
			}
			_, err := tx.Insert(h.ctx, "consumers", obj(t, `{"username":"dup"}`))
			return err
		}, nil},
		{"caller error after writes", func(tx *store.Txn) error {
			if _, err := tx.Update(h.ctx, "services", sid, obj(t, `{"name":"renamed","port":81}`)); err != nil {
				return err
			}
			if _, err := tx.Upsert(h.ctx, "routes", route["id"].(string), obj(t, `{"paths":["/x"]}`)); err != nil {
				return err
			}
			if _, err := tx.Delete(h.ctx, "routes", route["id"].(string)); err != nil {
				return err
			}
			if _, err := tx.Delete(h.ctx, "services", sid); err != nil {
				return err
			}
			if _, err := tx.Insert(h.ctx, "services", obj(t, `{"name":"s1","host":"new.test"}`)); err != nil {
				return err
			}
			return boom
		}, boom},
		{"certificate snis replaced then error", func(tx *store.Txn) error {
			if _, err := tx.Update(h.ctx, "certificates", cert["id"].(string), obj(t, `{"snis":["b.test"]}`)); err != nil {
				return err
			}
			if _, err := tx.Delete(h.ctx, "certificates", cert["id"].(string)); err != nil {
				return err
			}
			return boom
		}, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.snapshot(tables...)
			var events []store.Event
			h.db.Subscribe(func(ev []store.Event) { events = append(events, ev...) })
			err := h.write(tt.fn)
			if err == nil {
				t.Fatal("transaction succeeded")
			}
			if _, ok := store.AsError(err); tt.want == nil && !ok {
				t.Errorf("error = %v, want a *store.Error", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
			if diff := cmp.Diff(before, h.snapshot(tables...)); diff != "" {
				t.Errorf("tables changed (-before +after):\n%s", diff)
			}
			if len(events) != 0 {
				t.Errorf("events of a failed transaction: %v", events)
			}
		})
	}
	t.Run("indexes restored", func(t *testing.T) {
		checks := []struct {
			entity, field string
			value         any
			want          store.Row
		}{
			{"services", "name", "s1", h.get("services", sid)},
			{"services", "name", "renamed", nil},
			{"routes", "name", "r1", h.get("routes", route["id"].(string))},
			{"consumers", "username", "ok", nil},
			{"consumers", "username", "dup", nil},
			{"snis", "name", "b.test", nil},
			{"plugins", "cache_key", store.CacheKey(h.entity("plugins"), plugin), plugin},
		}
		for _, c := range checks {
			if diff := cmp.Diff(c.want, h.getBy(c.entity, c.field, c.value)); diff != "" {
				t.Errorf("%s by %s %v (-want +got):\n%s", c.entity, c.field, c.value, diff)
			}
		}
		if sni := h.getBy("snis", "name", "a.test"); sni == nil {
			t.Error("sni a.test lost")
		}
		routes := ids(h.all("routes", store.Query{ForeignField: "service", ForeignID: sid}))
		if diff := cmp.Diff([]string{route["id"].(string)}, routes); diff != "" {
			t.Errorf("routes of the service (-want +got):\n%s", diff)
		}
		h.insert("consumers", `{"username":"dup"}`)
	})
}

// testEvents: events reach subscribers once the transaction committed, in
// order, with the old and new entity.
func testEvents(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	var mu sync.Mutex
	var got []store.Event
	var seenAfterCommit []int
	h.db.Subscribe(func(ev []store.Event) {
		// The writes are visible to readers when subscribers run.
		n := len(h.all("consumers", store.Query{}))
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ev...)
		seenAfterCommit = append(seenAfterCommit, n)
	})
	var created, updated store.Row
	err := h.write(func(tx *store.Txn) (err error) {
		if created, err = tx.Insert(h.ctx, "consumers", obj(t, `{"username":"bob"}`)); err != nil {
			return err
		}
		if updated, err = tx.Update(h.ctx, "consumers", created["id"].(string), obj(t, `{"custom_id":"c"}`)); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != 0 {
			return fmt.Errorf("events before commit: %v", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.del("consumers", created["id"].(string)); err != nil {
		t.Fatal(err)
	}
	if _, err := h.del("consumers", created["id"].(string)); err != nil { // no-op: no event
		t.Fatal(err)
	}
	want := []store.Event{
		{Entity: "consumers", Op: store.OpCreate, New: created},
		{Entity: "consumers", Op: store.OpUpdate, Old: created, New: updated},
		{Entity: "consumers", Op: store.OpDelete, Old: updated},
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1, 0}, seenAfterCommit); diff != "" {
		t.Errorf("rows visible to subscribers (-want +got):\n%s", diff)
	}
}

// testTruncate: Truncate empties a table and frees its unique values; it
// rolls back like any other write.
func testTruncate(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	h.insertConsumers(30, nil)
	svc := h.insert("services", `{"name":"s1","host":"example.com"}`)
	err := h.write(func(tx *store.Txn) error {
		if err := tx.Truncate(h.ctx, "consumers"); err != nil {
			return err
		}
		return errors.New("abort")
	})
	if err == nil {
		t.Fatal("aborted transaction succeeded")
	}
	if n := len(h.all("consumers", store.Query{})); n != 30 {
		t.Fatalf("%d consumers after an aborted truncate, want 30", n)
	}
	var events []store.Event
	h.db.Subscribe(func(ev []store.Event) { events = append(events, ev...) })
	err = h.write(func(tx *store.Txn) error { return tx.Truncate(h.ctx, "consumers") })
	if err != nil {
		t.Fatal(err)
	}
	if n := len(h.all("consumers", store.Query{})); n != 0 {
		t.Errorf("%d consumers after truncate", n)
	}
	if h.getBy("consumers", "username", "user-1") != nil {
		t.Error("truncated username still indexed")
	}
	h.insert("consumers", `{"username":"user-1"}`)
	if h.get("services", svc["id"].(string)) == nil {
		t.Error("truncate removed another table's rows")
	}
	if diff := cmp.Diff([]store.Event{{Entity: "consumers", Op: store.OpTruncate}}, events[:1]); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// testConcurrency: parallel writers and readers; every write lands, no
// transaction fails (no SQLITE_BUSY or the like), readers see consistent
// pages.
func testConcurrency(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	const writers, perWriter, readers = 8, 25, 4
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter+readers)
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				in := obj(t, fmt.Sprintf(`{"username":"w%d-%d","tags":["w%d"]}`, w, i, w))
				errs <- h.write(func(tx *store.Txn) error {
					_, err := tx.Insert(h.ctx, "consumers", in)
					return err
				})
			}
		})
	}
	stop := make(chan struct{})
	var rwg sync.WaitGroup
	for range readers {
		rwg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := h.db.View(h.ctx, func(tx *store.Txn) error {
					return tx.Each(h.ctx, "consumers", store.Query{Tags: []string{"w1"}}, func(store.Row) error { return nil })
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	rwg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := len(h.all("consumers", store.Query{})); n != writers*perWriter {
		t.Errorf("%d consumers, want %d", n, writers*perWriter)
	}
	if n := len(h.all("consumers", store.Query{Tags: []string{"w3"}})); n != perWriter {
		t.Errorf("%d consumers tagged w3, want %d", n, perWriter)
	}
}
