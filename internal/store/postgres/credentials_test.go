package postgres

import (
	"testing"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// Plugin entities as plugins declare them, stored in Kong's credential
// tables.
var (
	keyAuths = &schema.Entity{
		Name: "keyauth_credentials", AdminName: "key-auths", EndpointKey: "key",
		CacheKey: []string{"key"}, Workspaceable: true, TTL: true,
		Fields: []schema.Field{
			schema.ID, schema.CreatedAt,
			schema.ForeignKey("consumer", "consumers").Required().Cascade(),
			schema.Str("key").Unique().Auto(),
			schema.Tags,
		},
	}
	acls = &schema.Entity{
		Name: "acls", CacheKey: []string{"consumer", "group"}, Workspaceable: true,
		Fields: []schema.Field{
			schema.ID, schema.CreatedAt,
			schema.ForeignKey("consumer", "consumers").Required().Cascade(),
			schema.Str("group").Required(),
			schema.Tags,
		},
	}
)

// TestCredentials: plugin entities live in Kong's credential tables, with
// their cache keys, unique fields, cascades and Kong's ttl (an absolute
// expiry read back as the seconds left; expired rows are not read).
func TestCredentials(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	c := entities.NewCatalog(nil, keyAuths, acls)
	cfg := newDatabase(t)
	bootstrap(t, cfg)
	b, err := Open(ctx, cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	db := store.New(b, c)
	defer db.Close()

	var consumer, key, acl store.Row
	err = db.Update(ctx, func(tx *store.Txn) (err error) {
		if consumer, err = tx.Insert(ctx, "consumers", map[string]any{"username": "u"}); err != nil {
			return err
		}
		ref := map[string]any{"id": consumer["id"]}
		if key, err = tx.Insert(ctx, "keyauth_credentials", map[string]any{"consumer": ref, "key": "k1", "ttl": int64(100)}); err != nil {
			return err
		}
		if _, err = tx.Insert(ctx, "keyauth_credentials", map[string]any{"consumer": ref, "key": "k2"}); err != nil {
			return err
		}
		acl, err = tx.Insert(ctx, "acls", map[string]any{"consumer": ref, "group": "admins"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	conn := connect(t, cfg)
	defer conn.Close(ctx)

	var cacheKey string
	if err := conn.QueryRow(ctx, `SELECT cache_key FROM acls`).Scan(&cacheKey); err != nil {
		t.Fatal(err)
	}
	if want := "acls:" + consumer["id"].(string) + ":admins::::" + b.wsID; cacheKey != want {
		t.Errorf("acls cache_key = %q, want %q", cacheKey, want)
	}
	var left float64
	if err := conn.QueryRow(ctx, `SELECT extract(epoch FROM ttl - now()) FROM keyauth_credentials WHERE key = 'k1'`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left < 95 || left > 100 {
		t.Errorf("k1 expires in %v s, want 100", left)
	}

	get := func(entity, field string, value any) (store.Row, error) {
		var row store.Row
		err := db.View(ctx, func(tx *store.Txn) (err error) {
			row, err = tx.GetBy(ctx, entity, field, value)
			return err
		})
		return row, err
	}
	got, err := get("keyauth_credentials", "key", "k1")
	if err != nil {
		t.Fatal(err)
	}
	if ttl, _ := got["ttl"].(int64); ttl < 95 || ttl > 100 || got["id"] != key["id"] {
		t.Errorf("k1 = %v, want its ttl about 100", got)
	}
	if got, err := get("keyauth_credentials", "key", "k2"); err != nil || got["ttl"] != nil {
		t.Errorf("k2 = %v, %v; want no ttl", got, err)
	}
	if _, err := conn.Exec(ctx, `UPDATE keyauth_credentials SET ttl = now() - interval '1 second' WHERE key = 'k1'`); err != nil {
		t.Fatal(err)
	}
	if got, err := get("keyauth_credentials", "key", "k1"); got != nil || err != nil {
		t.Errorf("expired k1 read: %v, %v", got, err)
	}
	err = db.View(ctx, func(tx *store.Txn) error {
		p, err := tx.Page(ctx, "keyauth_credentials", store.Query{})
		if err == nil && len(p.Rows) != 1 {
			t.Errorf("page of %d keys, want k2 alone", len(p.Rows))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	err = db.Update(ctx, func(tx *store.Txn) error {
		_, err := tx.Delete(ctx, "consumers", consumer["id"].(string))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := get("acls", "id", acl["id"]); got != nil || err != nil {
		t.Errorf("acl after its consumer's deletion: %v, %v", got, err)
	}
}
