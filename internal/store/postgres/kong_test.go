package postgres

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/storetest"
)

// TestKongColumns: rows written through the DAO land in Kong's columns as
// Kong writes them (ws_id, <name>_id, arrays, jsonb[], timestamps,
// cache_key, the tags table), and rows written as Kong writes them are read
// back by the DAO.
func TestKongColumns(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cfg := newDatabase(t)
	bootstrap(t, cfg)
	c := storetest.Catalog()
	b, err := Open(ctx, cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	db := store.New(b, c)
	defer db.Close()
	conn := connect(t, cfg)
	defer conn.Close(ctx)

	var svc, route, up, target store.Row
	err = db.Update(ctx, func(tx *store.Txn) (err error) {
		if svc, err = tx.Insert(ctx, "services", map[string]any{"name": "s", "host": "example.com", "tags": []any{"a", "b"}}); err != nil {
			return err
		}
		route, err = tx.Insert(ctx, "routes", map[string]any{"protocols": []any{"tcp"},
			"sources": []any{map[string]any{"ip": "10.0.0.0/8"}}, "service": map[string]any{"id": svc["id"]}})
		if err != nil {
			return err
		}
		if up, err = tx.Insert(ctx, "upstreams", map[string]any{"name": "u.test"}); err != nil {
			return err
		}
		target, err = tx.Insert(ctx, "targets", map[string]any{"target": "10.0.0.1:80", "upstream": map[string]any{"id": up["id"]}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	checks := []struct {
		name, query string
		args        []any
		want        string
	}{
		{"service ws_id", `SELECT (s.ws_id = w.id)::text FROM services s, workspaces w WHERE w.name = 'default'`, nil, "true"},
		{"service created_at", `SELECT (extract(epoch FROM created_at) = $1)::text FROM services`, []any{svc["created_at"]}, "true"},
		{"service tags", `SELECT tags::text FROM services`, nil, "{a,b}"},
		{"tags table", `SELECT entity_name || ' ' || tags::text FROM tags WHERE entity_id = $1`, []any{svc["id"]}, "services {a,b}"},
		{"route service_id", `SELECT (service_id = $1)::text FROM routes`, []any{svc["id"]}, "true"},
		{"route sources", `SELECT sources::text FROM routes`, nil, `{"{\"ip\": \"10.0.0.0/8\", \"port\": null}"}`},
		{"target created_at", `SELECT round(extract(epoch FROM created_at), 3)::float8 = $1::float8 FROM targets`, []any{target["created_at"]}, "true"},
		{"target cache_key", `SELECT cache_key FROM targets`, nil, "targets:" + up["id"].(string) + ":10.0.0.1:80::::" + b.wsID},
	}
	for _, tt := range checks {
		t.Run(tt.name, func(t *testing.T) {
			var got any
			if err := conn.QueryRow(ctx, tt.query, tt.args...).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if s, ok := got.(bool); ok {
				got = map[bool]string{true: "true", false: "false"}[s]
			}
			if got != tt.want {
				t.Errorf("%s = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
	if got := route["sources"]; !cmp.Equal(got, []any{map[string]any{"ip": "10.0.0.0/8", "port": nil}}) {
		t.Errorf("route sources = %#v", got)
	}

	t.Run("row written by Kong", func(t *testing.T) {
		const id = "3f4b9a52-8f2e-4c1e-9d8c-2a1b3c4d5e6f"
		_, err := conn.Exec(ctx, `INSERT INTO consumers (id, created_at, username, tags, ws_id)
			SELECT $1, TO_TIMESTAMP(1700000000.123) AT TIME ZONE 'UTC', 'kong-user', '{k}', id FROM workspaces WHERE name = 'default'`, id)
		if err != nil {
			t.Fatal(err)
		}
		var got store.Row
		err = db.View(ctx, func(tx *store.Txn) (err error) {
			got, err = tx.GetBy(ctx, "consumers", "username", "kong-user")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		want := store.Row{"id": id, "created_at": int64(1700000000), "updated_at": int64(got["updated_at"].(int64)),
			"username": "kong-user", "custom_id": nil, "tags": []any{"k"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

// TestWriteHook: the hook runs in the write transaction, so what it writes
// commits with the change, and its error rolls the change back.
func TestWriteHook(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cfg := newDatabase(t)
	bootstrap(t, cfg)
	var calls int
	b, err := Open(ctx, cfg, storetest.Catalog(), WithWriteHook(func(ctx context.Context, tx pgx.Tx) error {
		calls++
		_, err := tx.Exec(ctx, `INSERT INTO cluster_events (id, node_id, at, expire_at, channel, data)
			VALUES (gen_random_uuid(), gen_random_uuid(), now(), now() + interval '1 hour', 'invalidations', 'x')`)
		return err
	}))
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
	var events int
	if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM cluster_events`).Scan(&events); err != nil || events != 1 || calls != 1 {
		t.Errorf("cluster_events rows %d, hook calls %d, %v; want 1, 1", events, calls, err)
	}
}

// TestTruncateTags: truncating a table clears its rows of the tags table
// and those of the tables the truncate cascades to.
func TestTruncateTags(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	b := openNew(t, storetest.Catalog())
	defer b.Close()
	const svc, route, consumer = "3f4b9a52-8f2e-4c1e-9d8c-2a1b3c4d5e61", "3f4b9a52-8f2e-4c1e-9d8c-2a1b3c4d5e62", "3f4b9a52-8f2e-4c1e-9d8c-2a1b3c4d5e63"
	err := b.Update(ctx, func(tx store.Tx) error {
		rows := []struct {
			table string
			row   store.Row
		}{
			{"services", store.Row{"id": svc, "host": "h", "tags": []any{"t"}}},
			{"routes", store.Row{"id": route, "service": map[string]any{"id": svc}, "tags": []any{"t"}}},
			{"consumers", store.Row{"id": consumer, "username": "u", "tags": []any{"t"}}},
		}
		for _, r := range rows {
			if err := tx.Insert(ctx, r.table, r.row, ""); err != nil {
				return err
			}
		}
		return tx.Truncate(ctx, "services")
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := b.pool.Query(ctx, `SELECT entity_name FROM tags ORDER BY entity_name`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"consumers"}, got); diff != "" {
		t.Errorf("tags rows after truncating services (-want +got):\n%s", diff)
	}
}

// TestViolationKeepsTransaction: a write that breaks a constraint fails
// alone; the transaction goes on and commits what else it wrote.
func TestViolationKeepsTransaction(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	b := openNew(t, storetest.Catalog())
	defer b.Close()
	const id1, id2 = "3f4b9a52-8f2e-4c1e-9d8c-2a1b3c4d5e61", "3f4b9a52-8f2e-4c1e-9d8c-2a1b3c4d5e62"
	err := b.Update(ctx, func(tx store.Tx) error {
		if err := tx.Insert(ctx, "consumers", store.Row{"id": id1, "username": "u"}, ""); err != nil {
			return err
		}
		err := tx.Insert(ctx, "consumers", store.Row{"id": id2, "username": "u"}, "")
		if uv, ok := err.(*store.UniqueViolation); !ok || uv.Field != "username" {
			t.Errorf("duplicate username: %v", err)
		}
		return tx.Insert(ctx, "consumers", store.Row{"id": id2, "username": "v"}, "")
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM consumers`).Scan(&n); err != nil || n != 2 {
		t.Errorf("consumers: %d, %v; want 2", n, err)
	}
}
