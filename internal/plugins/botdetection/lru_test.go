package botdetection

import "testing"

// The cache keeps at most its size, evicting the least recently used.
func TestLRU(t *testing.T) {
	c := newLRU(2)
	c.set("a", verdictAllow)
	c.set("b", verdictDeny)
	if v, ok := c.get("a"); !ok || v != verdictAllow { // a is now the most recent
		t.Fatalf("a: %v %v", v, ok)
	}
	c.set("c", verdictBot) // evicts b
	if _, ok := c.get("b"); ok {
		t.Error("b kept beyond the size")
	}
	for k, want := range map[string]verdict{"a": verdictAllow, "c": verdictBot} {
		if v, ok := c.get(k); !ok || v != want {
			t.Errorf("%s: %v %v", k, v, ok)
		}
	}
	c.set("a", verdictNone) // an update does not grow it
	c.set("d", verdictDeny) // evicts c
	if _, ok := c.get("c"); ok {
		t.Error("c kept beyond the size")
	}
	if v, ok := c.get("a"); !ok || v != verdictNone {
		t.Errorf("updated a: %v %v", v, ok)
	}
}
