package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// ttlKeys is a credential entity with a ttl, as key-auth's.
var ttlKeys = &schema.Entity{
	Name: "keyauth_credentials", EndpointKey: "key", CacheKey: []string{"key"}, TTL: true,
	Fields: []schema.Field{
		schema.ID, schema.CreatedAt,
		schema.ForeignKey("consumer", "consumers").Required().Cascade(),
		schema.Str("key").Unique().Auto(),
		schema.Tags,
	},
}

// TTL checks rows with a ttl on a backend whose clock setNow replaces: a
// row's ttl reads as the whole seconds left (rounded down, as Kong);
// expired rows are not read, and a new row may take an expired one's
// unique key.
func TTL(t *testing.T, open OpenFunc, setNow func(func() time.Time)) {
	clock := time.Unix(1000, 0)
	setNow(func() time.Time { return clock })
	t.Cleanup(func() { setNow(time.Now) })
	c := entities.NewCatalog(nil, ttlKeys)
	db := store.New(open(t, c), c)
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	var consumer, id string
	err := db.Update(ctx, func(tx *store.Txn) error {
		r, err := tx.Insert(ctx, "consumers", map[string]any{"username": "u"})
		if err != nil {
			return err
		}
		consumer = r["id"].(string)
		ref := map[string]any{"id": consumer}
		if r, err = tx.Insert(ctx, "keyauth_credentials", map[string]any{"consumer": ref, "key": "k1", "ttl": int64(100)}); err != nil {
			return err
		}
		id = r["id"].(string)
		_, err = tx.Insert(ctx, "keyauth_credentials", map[string]any{"consumer": ref, "key": "k2"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	count := func() (n int, ttl any) {
		_ = db.View(ctx, func(tx *store.Txn) error {
			return tx.Each(ctx, "keyauth_credentials", store.Query{}, func(r store.Row) error {
				n++
				if r["key"] == "k1" {
					ttl = r["ttl"]
				}
				return nil
			})
		})
		return n, ttl
	}
	clock = clock.Add(40 * time.Second)
	if n, ttl := count(); n != 2 || ttl != int64(60) {
		t.Errorf("before expiry: %d rows, ttl %v", n, ttl)
	}
	// Kong reports whole seconds left, rounded down: 59.5 s reads 59.
	clock = clock.Add(500 * time.Millisecond)
	if _, ttl := count(); ttl != int64(59) {
		t.Errorf("59.5 s left: ttl %v, want 59", ttl)
	}
	clock = clock.Add(time.Minute)
	if n, _ := count(); n != 1 {
		t.Errorf("after expiry: %d rows", n)
	}
	_ = db.View(ctx, func(tx *store.Txn) error {
		if r, err := tx.Get(ctx, "keyauth_credentials", id); r != nil || err != nil {
			t.Errorf("Get expired: %v %v", r, err)
		}
		if r, err := tx.GetBy(ctx, "keyauth_credentials", "key", "k1"); r != nil || err != nil {
			t.Errorf("GetBy expired: %v %v", r, err)
		}
		return nil
	})
	err = db.Update(ctx, func(tx *store.Txn) error {
		_, err := tx.Insert(ctx, "keyauth_credentials", map[string]any{"consumer": map[string]any{"id": consumer}, "key": "k1", "ttl": int64(0)})
		return err
	})
	if err != nil {
		t.Errorf("reusing an expired key: %v", err)
	}
	if n, ttl := count(); n != 2 || ttl != nil {
		t.Errorf("ttl 0 never expires: %d rows, ttl %v", n, ttl)
	}
}
