package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/silverback-gw/silverback/internal/store"
)

// testValues: values come back exactly as stored, by type: integers stay
// int64 (beyond 2^53 too), numbers stay float64 even when whole, nested
// records, arrays and maps keep their shape, strings keep every byte.
func testValues(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	svc := h.insert("services", `{"name":"s1","host":"example.com"}`)
	plugin := h.insert("plugins", `{"name":"x-test","service":{"id":"`+svc["id"].(string)+`"},
		"config":{"limit":9007199254740993,"ratio":3,"names":["ü","\u0000x","\"q\""],"nested":{"weight":1.25}}}`)
	route := h.insert("routes", `{"name":"r-ü","paths":["/a"],"headers":{"x-a":["1","2"]},
		"service":{"id":"`+svc["id"].(string)+`"},"regex_priority":-7}`)
	upstream := h.insert("upstreams", `{"name":"u.test","healthchecks":{"threshold":25.5,"active":{"timeout":2}}}`)

	config := plugin["config"].(map[string]any)
	want := map[string]any{
		"limit": int64(9007199254740993), "ratio": float64(3),
		"names":  []any{"ü", "\x00x", `"q"`},
		"nested": map[string]any{"depth": int64(1), "weight": 1.25},
	}
	if diff := cmp.Diff(want, config); diff != "" {
		t.Fatalf("inserted config (-want +got):\n%s", diff)
	}
	hc := upstream["healthchecks"].(map[string]any)
	if hc["threshold"] != 25.5 || hc["active"].(map[string]any)["timeout"] != float64(2) {
		t.Fatalf("healthchecks = %#v", hc)
	}
	for _, row := range []store.Row{plugin, route, upstream} {
		entity := map[any]string{plugin["id"]: "plugins", route["id"]: "routes", upstream["id"]: "upstreams"}[row["id"]]
		t.Run(entity, func(t *testing.T) {
			if diff := cmp.Diff(row, h.get(entity, row["id"].(string))); diff != "" {
				t.Errorf("get (-inserted +stored):\n%s", diff)
			}
			p, err := h.page(entity, store.Query{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]store.Row{row}, p.Rows); diff != "" {
				t.Errorf("page (-inserted +stored):\n%s", diff)
			}
		})
	}
	t.Run("rows are the caller's", func(t *testing.T) {
		got := h.get("plugins", plugin["id"].(string))
		got["config"].(map[string]any)["limit"] = int64(1)
		got["config"].(map[string]any)["names"].([]any)[0] = "changed"
		if diff := cmp.Diff(plugin, h.get("plugins", plugin["id"].(string))); diff != "" {
			t.Errorf("changing a returned row changed the store (-before +after):\n%s", diff)
		}
	})
}
