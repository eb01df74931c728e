package runtime

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// testSchemas is the plugin schemas the tests configure (the plugin
// package, which imports the proxy, cannot be imported here).
type testSchemas struct{}

func (testSchemas) Subschema(name string) (*schema.Subschema, bool) {
	if name != "runtime-test" {
		return nil, false
	}
	return &schema.Subschema{Fields: []schema.Field{
		schema.Protocols, schema.RecordOf("config", schema.Str("v").Default("x")),
	}}, true
}

// countingCompiler records the plugin instances of each build.
type countingCompiler struct{ seen [][]*entities.Plugin }

func (c *countingCompiler) Compile(ps []*entities.Plugin) any {
	c.seen = append(c.seen, ps)
	return len(ps)
}

// TestPluginsFollowEvents checks that plugin rows reach the compiler in
// every build, kept current by change events, and that an unchanged row
// keeps its value from one build to the next.
func TestPluginsFollowEvents(t *testing.T) {
	db := newDB(t)
	h := NewHolder(func() *store.DB { return db }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	pc := &countingCompiler{}
	h.SetPluginCompiler(pc)
	db.Subscribe(h.OnEvents)
	ctx := context.Background()
	if err := h.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	a := insert(t, db, "plugins", map[string]any{"name": "runtime-test"})
	if err := h.update(ctx); err != nil {
		t.Fatal(err)
	}
	svc := insert(t, db, "services", map[string]any{"host": "example.test"})
	insert(t, db, "plugins", map[string]any{"name": "runtime-test", "service": map[string]any{"id": svc["id"]}})
	if err := h.update(ctx); err != nil {
		t.Fatal(err)
	}
	if got := h.Load().Plugins; got != 2 {
		t.Fatalf("Snapshot.Plugins = %v, want 2", got)
	}
	last := pc.seen[len(pc.seen)-1]
	prev := pc.seen[len(pc.seen)-2]
	if len(prev) != 1 || prev[0].ID != a["id"] || (last[0] != prev[0] && last[1] != prev[0]) {
		t.Errorf("unchanged plugin rebuilt: prev %v last %v", prev, last)
	}
	if last[0].Config["v"] != "x" || !last[0].Enabled {
		t.Errorf("plugin not decoded: %+v", last[0])
	}
}
