package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/silverback-gw/silverback/internal/store"
)

// testPluginCacheKey: a plugin's (name, route, service, consumer) is
// unique, reported with every part of the key; other scopes are free.
func testPluginCacheKey(t *testing.T, open OpenFunc) {
	h := newHarness(t, open)
	svc := h.insert("services", `{"name":"s1","host":"example.com"}`)["id"].(string)
	svc2 := h.insert("services", `{"name":"s2","host":"example.com"}`)["id"].(string)
	bob := h.insert("consumers", `{"username":"bob"}`)["id"].(string)
	first := h.insert("plugins", `{"name":"x-test","service":{"id":"`+svc+`"}}`)
	global := h.insert("plugins", `{"name":"x-test"}`)

	t.Run("same scope", func(t *testing.T) {
		_, err := h.tryInsert("plugins", `{"name":"x-test","service":{"id":"`+svc+`"},"config":{"limit":1}}`)
		wantError(t, err, unique(`{consumer=null,name="x-test",route=null,service={id="`+svc+`"}}`,
			map[string]any{"consumer": nil, "name": "x-test", "route": nil, "service": map[string]any{"id": svc}}))
	})
	t.Run("same global scope", func(t *testing.T) {
		_, err := h.tryInsert("plugins", `{"name":"x-test"}`)
		wantError(t, err, unique(`{consumer=null,name="x-test",route=null,service=null}`,
			map[string]any{"consumer": nil, "name": "x-test", "route": nil, "service": nil}))
	})
	t.Run("other scopes", func(t *testing.T) {
		h.insert("plugins", `{"name":"x-test","service":{"id":"`+svc2+`"}}`)
		h.insert("plugins", `{"name":"x-test","service":{"id":"`+svc+`"},"consumer":{"id":"`+bob+`"}}`)
	})
	t.Run("update into a taken scope", func(t *testing.T) {
		_, err := h.patch("plugins", global["id"].(string), `{"service":{"id":"`+svc+`"}}`)
		wantError(t, err, unique(`{consumer=null,name="x-test",route=null,service={id="`+svc+`"}}`,
			map[string]any{"consumer": nil, "name": "x-test", "route": nil, "service": map[string]any{"id": svc}}))
	})
	t.Run("by cache key", func(t *testing.T) {
		key := "plugins:x-test::" + svc + ":::"
		if got := store.CacheKey(h.entity("plugins"), first); got != key {
			t.Fatalf("CacheKey = %q, want %q", got, key)
		}
		if diff := cmp.Diff(first, h.getBy("plugins", "cache_key", key)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("moved plugin frees its key", func(t *testing.T) {
		if _, err := h.patch("plugins", first["id"].(string), `{"service":null}`); err == nil {
			t.Fatal("moving onto the global plugin's key succeeded")
		}
		if _, err := h.del("plugins", global["id"].(string)); err != nil {
			t.Fatal(err)
		}
		if _, err := h.patch("plugins", first["id"].(string), `{"service":null}`); err != nil {
			t.Fatal(err)
		}
		h.insert("plugins", `{"name":"x-test","service":{"id":"`+svc+`"}}`)
	})
}
