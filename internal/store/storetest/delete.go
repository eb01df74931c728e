package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/silverback-gw/silverback/internal/store"
)

// del deletes an entity in its own transaction.
func (h *harness) del(entity, id string) (bool, error) {
	var existed bool
	err := h.write(func(tx *store.Txn) (err error) {
		existed, err = tx.Delete(h.ctx, entity, id)
		return err
	})
	return existed, err
}

// testDeleteRestrict: a service that routes reference cannot be deleted
// (routes.service has no on_delete cascade), nor can a certificate a
// service uses; once the reference is gone the delete succeeds.
func testDeleteRestrict(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	svc := h.insert("services", `{"name":"s1","host":"example.com"}`)
	route := h.insert("routes", `{"paths":["/"],"service":{"id":"`+svc["id"].(string)+`"}}`)
	plugin := h.insert("plugins", `{"name":"x-test","service":{"id":"`+svc["id"].(string)+`"}}`)

	_, err := h.del("services", svc["id"].(string))
	wantError(t, err, kongError{Code: store.CodeForeignKeyViolation, Name: "foreign key violation",
		Message: "an existing 'routes' entity references this 'services' entity",
		Fields:  map[string]any{"@referenced_by": "routes"}})
	if h.get("services", svc["id"].(string)) == nil || h.get("plugins", plugin["id"].(string)) == nil {
		t.Fatal("a refused delete removed rows")
	}

	err = h.write(func(tx *store.Txn) error {
		_, err := tx.Update(h.ctx, "routes", route["id"].(string), map[string]any{"service": nil})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	existed, err := h.del("services", svc["id"].(string))
	if err != nil || !existed {
		t.Fatalf("delete = %v, %v; want true, nil", existed, err)
	}
	if h.get("plugins", plugin["id"].(string)) != nil {
		t.Error("the service's plugin survived it")
	}
	existed, err = h.del("services", svc["id"].(string))
	if err != nil || existed {
		t.Errorf("second delete = %v, %v; want false, nil", existed, err)
	}
}

// testDeleteCascade: children whose foreign key cascades go with their
// parent, recursively, and each gets its delete event.
func testDeleteCascade(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	svc := h.insert("services", `{"name":"s1","host":"example.com"}`)
	route := h.insert("routes", `{"paths":["/"],"service":{"id":"`+svc["id"].(string)+`"}}`)
	other := h.insert("routes", `{"paths":["/o"]}`)
	bob := h.insert("consumers", `{"username":"bob"}`)
	onRoute := h.insert("plugins", `{"name":"x-test","route":{"id":"`+route["id"].(string)+`"}}`)
	onBoth := h.insert("plugins", `{"name":"x-test","route":{"id":"`+route["id"].(string)+`"},"consumer":{"id":"`+bob["id"].(string)+`"}}`)
	onOther := h.insert("plugins", `{"name":"x-test","route":{"id":"`+other["id"].(string)+`"}}`)
	up := h.insert("upstreams", `{"name":"u1.test"}`)
	up2 := h.insert("upstreams", `{"name":"u2.test"}`)
	t1 := h.insert("targets", `{"target":"a.test","upstream":{"id":"`+up["id"].(string)+`"}}`)
	t2 := h.insert("targets", `{"target":"b.test","upstream":{"id":"`+up["id"].(string)+`"}}`)
	kept := h.insert("targets", `{"target":"a.test","upstream":{"id":"`+up2["id"].(string)+`"}}`)
	cert := h.insert("certificates", certificateBody(t, `"snis":["a.test","b.test"]`))
	cert2 := h.insert("certificates", certificateBody(t, `"snis":["c.test"]`))

	tests := []struct {
		name, entity, id string
		gone             map[string][]string // entity -> ids that must be gone
		stay             map[string][]string
	}{
		{"route with plugins", "routes", route["id"].(string),
			map[string][]string{"plugins": {onRoute["id"].(string), onBoth["id"].(string)}},
			map[string][]string{"plugins": {onOther["id"].(string)}, "consumers": {bob["id"].(string)}}},
		{"upstream with targets", "upstreams", up["id"].(string),
			map[string][]string{"targets": {t1["id"].(string), t2["id"].(string)}},
			map[string][]string{"targets": {kept["id"].(string)}}},
		{"certificate with snis", "certificates", cert["id"].(string),
			map[string][]string{"snis": snisOf(h, cert)},
			map[string][]string{"snis": snisOf(h, cert2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var events []store.Event
			h.db.Subscribe(func(ev []store.Event) { events = append(events, ev...) })
			existed, err := h.del(tt.entity, tt.id)
			if err != nil || !existed {
				t.Fatalf("delete = %v, %v; want true, nil", existed, err)
			}
			deleted := map[string][]string{}
			for _, e := range events {
				if e.Op == store.OpDelete {
					deleted[e.Entity] = append(deleted[e.Entity], e.Old["id"].(string))
				}
			}
			wantDeleted := map[string][]string{tt.entity: {tt.id}}
			for entity, gone := range tt.gone {
				for _, id := range gone {
					if h.get(entity, id) != nil {
						t.Errorf("%s %s survived", entity, id)
					}
				}
				wantDeleted[entity] = gone
			}
			for entity, stay := range tt.stay {
				for _, id := range stay {
					if h.get(entity, id) == nil {
						t.Errorf("%s %s was deleted", entity, id)
					}
				}
			}
			if diff := cmp.Diff(wantDeleted, deleted, sortStrings); diff != "" {
				t.Errorf("delete events (-want +got):\n%s", diff)
			}
		})
	}
}

// snisOf returns the ids of a certificate's SNI rows.
func snisOf(h *harness, cert store.Row) []string {
	h.t.Helper()
	return ids(h.all("snis", store.Query{ForeignField: "certificate", ForeignID: cert["id"].(string)}))
}
