package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/silverback-gw/silverback/internal/store"
)

// upsert runs Upsert in its own transaction.
func (h *harness) upsert(entity, id, body string) (store.Row, error) {
	var row store.Row
	err := h.write(func(tx *store.Txn) (err error) {
		row, err = tx.Upsert(h.ctx, entity, id, obj(h.t, body))
		return err
	})
	return row, err
}

// patch runs Update in its own transaction.
func (h *harness) patch(entity, id, body string) (store.Row, error) {
	var row store.Row
	err := h.write(func(tx *store.Txn) (err error) {
		row, err = tx.Update(h.ctx, entity, id, obj(h.t, body))
		return err
	})
	return row, err
}

// testUpsert: PUT by id creates with the path's id, then replaces the whole
// entity: fields left out return to their defaults.
func testUpsert(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	created, err := h.upsert("services", missingID, `{"name":"s1","host":"a.test","retries":9,"tags":["x"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if created["id"] != missingID || created["retries"] != int64(9) {
		t.Fatalf("created = %v", created)
	}
	replaced, err := h.upsert("services", missingID, `{"host":"b.test","id":"`+missingID+`"}`)
	if err != nil {
		t.Fatal(err)
	}
	want := store.Row{"host": "b.test", "retries": int64(5), "tags": nil, "name": nil}
	got := store.Row{}
	for k := range want {
		got[k] = replaced[k]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("replaced (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(replaced, h.get("services", missingID)); diff != "" {
		t.Errorf("stored (-returned +stored):\n%s", diff)
	}
	if h.getBy("services", "name", "s1") != nil {
		t.Error("the replaced name still finds the service")
	}
	if n := len(h.all("services", store.Query{})); n != 1 {
		t.Errorf("%d services, want 1", n)
	}
}

// testUpsertBy: PUT by endpoint key creates with the path's value, and on
// an existing entity keeps its id; the path value wins over the body.
func testUpsertBy(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	upsertBy := func(value any, body string) store.Row {
		t.Helper()
		var row store.Row
		err := h.write(func(tx *store.Txn) (err error) {
			row, err = tx.UpsertBy(h.ctx, "services", "name", value, obj(t, body))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return row
	}
	created := upsertBy("s1", `{"host":"a.test","name":"ignored"}`)
	if created["name"] != "s1" {
		t.Errorf("name = %v, want the path's s1", created["name"])
	}
	replaced := upsertBy("s1", `{"host":"b.test","port":8080}`)
	if replaced["id"] != created["id"] || replaced["host"] != "b.test" || replaced["port"] != int64(8080) {
		t.Errorf("replaced = %v, want id %v kept and the new body", replaced, created["id"])
	}
	if h.getBy("services", "name", "ignored") != nil {
		t.Error("the body's name was stored")
	}
	if diff := cmp.Diff([]string{created["id"].(string)}, ids(h.all("services", store.Query{}))); diff != "" {
		t.Errorf("services (-want +got):\n%s", diff)
	}
}

// testPatch: PATCH merges the body into the stored entity, nested records
// field by field; a missing entity is nil without error.
func testPatch(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	up := h.insert("upstreams", `{"name":"u1.test","healthchecks":{"active":{"healthy":{"interval":5}}}}`)
	id := up["id"].(string)
	patched, err := h.patch("upstreams", id, `{"healthchecks":{"active":{"timeout":3,"unhealthy":{"tcp_failures":2}}},"slots":20}`)
	if err != nil {
		t.Fatal(err)
	}
	active := patched["healthchecks"].(map[string]any)["active"].(map[string]any)
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"patched number", active["timeout"], float64(3)},
		{"patched nested integer", active["unhealthy"].(map[string]any)["tcp_failures"], int64(2)},
		{"kept sibling default", active["concurrency"], int64(10)},
		{"kept earlier value", active["healthy"].(map[string]any)["interval"], float64(5)},
		{"kept nested default", active["unhealthy"].(map[string]any)["http_statuses"],
			[]any{int64(429), int64(404), int64(500), int64(501), int64(502), int64(503), int64(504), int64(505)}},
		{"kept other record", patched["healthchecks"].(map[string]any)["passive"], up["healthchecks"].(map[string]any)["passive"]},
		{"patched top-level", patched["slots"], int64(20)},
		{"kept top-level", patched["name"], "u1.test"},
		{"kept id", patched["id"], id},
		{"kept created_at", patched["created_at"], up["created_at"]},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, c.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if diff := cmp.Diff(patched, h.get("upstreams", id)); diff != "" {
		t.Errorf("stored (-returned +stored):\n%s", diff)
	}
	t.Run("missing", func(t *testing.T) {
		row, err := h.patch("upstreams", missingID, `{"slots":20}`)
		if row != nil || err != nil {
			t.Errorf("patch missing = %v, %v; want nil, nil", row, err)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		_, err := h.patch("upstreams", id, `{"slots":1}`)
		wantError(t, err, kongError{Code: store.CodeSchemaViolation, Name: "schema violation",
			Message: "schema violation (slots: value should be between 10 and 65536)",
			Fields:  map[string]any{"slots": "value should be between 10 and 65536"}})
	})
}
