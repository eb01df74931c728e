package storetest

import (
	"testing"

	"github.com/silverback-gw/silverback/internal/store"
)

const missingID = "7f4d8ad3-1c1b-4b8e-9f1e-2d0c7b0c6a11"

// testUnique: every unique field rejects a duplicate with Kong's code 5,
// on insert, upsert and update, and frees its value when changed.
func testUnique(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	h.insert("services", `{"name":"s1","host":"example.com"}`)
	s2 := h.insert("services", `{"name":"s2","host":"example.com"}`)
	h.insert("consumers", `{"username":"bob","custom_id":"c1"}`)
	h.insert("upstreams", `{"name":"u1.test"}`)
	tests := []struct {
		name string
		op   func(tx *store.Txn) error
		want kongError
	}{
		{"service name", func(tx *store.Txn) error {
			_, err := tx.Insert(h.ctx, "services", obj(t, `{"name":"s1","host":"other.test"}`))
			return err
		}, unique(`{name="s1"}`, map[string]any{"name": "s1"})},
		{"consumer username", func(tx *store.Txn) error {
			_, err := tx.Insert(h.ctx, "consumers", obj(t, `{"username":"bob"}`))
			return err
		}, unique(`{username="bob"}`, map[string]any{"username": "bob"})},
		{"consumer custom_id", func(tx *store.Txn) error {
			_, err := tx.Insert(h.ctx, "consumers", obj(t, `{"username":"alice","custom_id":"c1"}`))
			return err
		}, unique(`{custom_id="c1"}`, map[string]any{"custom_id": "c1"})},
		{"upstream name", func(tx *store.Txn) error {
			_, err := tx.Insert(h.ctx, "upstreams", obj(t, `{"name":"u1.test"}`))
			return err
		}, unique(`{name="u1.test"}`, map[string]any{"name": "u1.test"})},
		{"patch to a taken name", func(tx *store.Txn) error {
			_, err := tx.Update(h.ctx, "services", s2["id"].(string), obj(t, `{"name":"s1"}`))
			return err
		}, unique(`{name="s1"}`, map[string]any{"name": "s1"})},
		{"upsert with a taken name", func(tx *store.Txn) error {
			_, err := tx.Upsert(h.ctx, "services", missingID, obj(t, `{"name":"s1","host":"example.com"}`))
			return err
		}, unique(`{name="s1"}`, map[string]any{"name": "s1"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, h.write(tt.op), tt.want)
		})
	}
	t.Run("renamed value is free", func(t *testing.T) {
		err := h.write(func(tx *store.Txn) error {
			_, err := tx.Update(h.ctx, "services", s2["id"].(string), obj(t, `{"name":"s3"}`))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if h.getBy("services", "name", "s2") != nil {
			t.Error("old name still finds the service")
		}
		if got := h.getBy("services", "name", "s3"); got == nil || got["id"] != s2["id"] {
			t.Errorf("new name finds %v", got)
		}
		h.insert("services", `{"name":"s2","host":"example.com"}`)
	})
	t.Run("null is not a value", func(t *testing.T) {
		h.insert("services", `{"host":"a.test"}`)
		h.insert("services", `{"host":"b.test"}`)
	})
}

func unique(key string, fields map[string]any) kongError {
	return kongError{Code: store.CodeUniqueViolation, Name: "unique constraint violation",
		Message: "UNIQUE violation detected on '" + key + "'", Fields: fields}
}

// testPrimaryKey: inserting an id twice is Kong's code 3.
func testPrimaryKey(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	h.insert("consumers", `{"id":"`+missingID+`","username":"bob"}`)
	_, err := h.tryInsert("consumers", `{"id":"`+missingID+`","username":"alice"}`)
	wantError(t, err, kongError{Code: store.CodePrimaryKeyViolation, Name: "primary key violation",
		Message: `primary key violation on key '{id="` + missingID + `"}'`,
		Fields:  map[string]any{"id": missingID}})
	if h.getBy("consumers", "username", "alice") != nil {
		t.Error("the refused consumer was stored")
	}
}

// testForeignKey: a reference to a missing entity is Kong's code 4, on
// insert and update.
func testForeignKey(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	svc := h.insert("services", `{"name":"s1","host":"example.com"}`)
	route := h.insert("routes", `{"paths":["/"],"service":{"id":"`+svc["id"].(string)+`"}}`)
	want := kongError{Code: store.CodeForeignKeyViolation, Name: "foreign key violation",
		Message: `the foreign key '{id="` + missingID + `"}' does not reference an existing 'services' entity.`,
		Fields:  map[string]any{"service": map[string]any{"id": missingID}}}
	tests := []struct {
		name string
		op   func(tx *store.Txn) error
		want kongError
	}{
		{"insert", func(tx *store.Txn) error {
			_, err := tx.Insert(h.ctx, "routes", obj(t, `{"paths":["/"],"service":{"id":"`+missingID+`"}}`))
			return err
		}, want},
		{"update", func(tx *store.Txn) error {
			_, err := tx.Update(h.ctx, "routes", route["id"].(string), obj(t, `{"service":{"id":"`+missingID+`"}}`))
			return err
		}, want},
		{"plugin consumer", func(tx *store.Txn) error {
			_, err := tx.Insert(h.ctx, "plugins", obj(t, `{"name":"x-test","consumer":{"id":"`+missingID+`"}}`))
			return err
		}, kongError{Code: store.CodeForeignKeyViolation, Name: "foreign key violation",
			Message: `the foreign key '{id="` + missingID + `"}' does not reference an existing 'consumers' entity.`,
			Fields:  map[string]any{"consumer": map[string]any{"id": missingID}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, h.write(tt.op), tt.want)
		})
	}
	if got := h.get("routes", route["id"].(string)); got["service"].(map[string]any)["id"] != svc["id"] {
		t.Errorf("route's service changed to %v", got["service"])
	}
}
