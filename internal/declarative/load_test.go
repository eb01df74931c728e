package declarative

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/memory"
)

func newDB(t *testing.T) *store.DB {
	t.Helper()
	c := testCatalog()
	db := store.New(memory.New(c), c)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// content reads every row of db by entity, in id order.
func content(t *testing.T, db *store.DB) map[string][]store.Row {
	t.Helper()
	out := map[string][]store.Row{}
	err := db.View(context.Background(), func(tx *store.Txn) error {
		for _, e := range db.Catalog().All() {
			err := tx.Each(context.Background(), e.Name, store.Query{}, func(r store.Row) error {
				out[e.Name] = append(out[e.Name], r)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	cfg := mustParse(t, nestedConfig())
	if err := Load(ctx, db, cfg); err != nil {
		t.Fatal(err)
	}
	var (
		svc, route store.Row
		snis       any
		children   int
	)
	err := db.View(ctx, func(tx *store.Txn) error {
		var err error
		if svc, err = tx.GetBy(ctx, "services", "name", "svc"); err != nil {
			return err
		}
		if route, err = tx.Get(ctx, "routes", v5("routes", "r1")); err != nil {
			return err
		}
		cert, err := tx.Get(ctx, "certificates", cfg.Entities["certificates"][0]["id"].(string))
		if err != nil {
			return err
		}
		snis = cert["snis"]
		return tx.Each(ctx, "plugins", store.Query{ForeignField: "service", ForeignID: v5("services", "svc")},
			func(store.Row) error { children++; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	if svc == nil || svc["id"] != v5("services", "svc") || svc["port"] != int64(8443) {
		t.Errorf("service = %v", svc)
	}
	if route == nil || !schema.Equal(route["service"], map[string]any{"id": v5("services", "svc")}) {
		t.Errorf("route = %v", route)
	}
	if diff := cmp.Diff([]any{"*.example.org", "example.com"}, snis); diff != "" {
		t.Errorf("certificate snis (-want +got):\n%s", diff)
	}
	if children != 2 {
		t.Errorf("plugins of svc = %d, want 2", children)
	}
	got := content(t, db)
	for name, rows := range cfg.Entities {
		if len(got[name]) != len(rows) {
			t.Errorf("%s: %d rows stored, %d declared", name, len(got[name]), len(rows))
		}
	}
}

func TestLoadReplacesEverything(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	if err := Load(ctx, db, mustParse(t, nestedConfig())); err != nil {
		t.Fatal(err)
	}
	next := mustParse(t, "_format_version: \"3.0\"\nconsumers:\n- username: alice\n")
	if err := Load(ctx, db, next); err != nil {
		t.Fatal(err)
	}
	got := content(t, db)
	if len(got) != 1 || len(got["consumers"]) != 1 || got["consumers"][0]["username"] != "alice" {
		t.Errorf("after reload: %v", got)
	}
	if err := Load(ctx, db, mustParse(t, "_format_version: \"3.0\"\n")); err != nil {
		t.Fatal(err)
	}
	if got := content(t, db); len(got) != 0 {
		t.Errorf("after loading an empty configuration: %v", got)
	}
}

func TestLoadFailureKeepsContent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	if err := Load(ctx, db, mustParse(t, nestedConfig())); err != nil {
		t.Fatal(err)
	}
	before := content(t, db)

	// Parse refuses an invalid configuration: nothing reaches the store.
	if _, err := Parse(testCatalog(), []byte("_format_version: \"3.0\"\nservices:\n- name: x\n")); err == nil {
		t.Fatal("invalid configuration parsed")
	}
	// A configuration that fails inside the transaction is rolled back
	// whole, truncation included.
	bad := mustParse(t, "_format_version: \"3.0\"\nconsumers:\n- username: a\n- username: b\n")
	bad.Entities["consumers"][1]["username"] = "a"
	err := Load(ctx, db, bad)
	var uv *store.UniqueViolation
	if !errors.As(err, &uv) {
		t.Fatalf("Load = %v, want a unique violation", err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := Load(canceled, db, mustParse(t, ExampleConfig)); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a canceled context = %v", err)
	}
	if diff := cmp.Diff(before, content(t, db)); diff != "" {
		t.Errorf("content changed by failed loads (-before +after):\n%s", diff)
	}
	other := *bad
	other.Entities = map[string][]map[string]any{"workspaces": {{"id": "x"}}}
	if err := Load(ctx, db, &other); err == nil || !strings.Contains(err.Error(), `unknown entity "workspaces"`) {
		t.Errorf("Load of a foreign entity = %v", err)
	}
}

func TestImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	err := db.Update(ctx, func(tx *store.Txn) error {
		_, err := tx.Insert(ctx, "services", map[string]any{"name": "existing", "host": "example.net"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := mustParse(t, nestedConfig())
	var calls, lastDone, lastTotal int
	progress := func(done, total int) { calls, lastDone, lastTotal = calls+1, done, total }
	if err := Import(ctx, db, cfg, progress); err != nil {
		t.Fatal(err)
	}
	if calls != cfg.Len() || lastDone != cfg.Len() || lastTotal != cfg.Len() {
		t.Errorf("progress: %d calls, last (%d, %d), want %d", calls, lastDone, lastTotal, cfg.Len())
	}
	got := content(t, db)
	if len(got["services"]) != 2 || len(got["snis"]) != 2 || len(got["plugins"]) != 4 {
		t.Errorf("after import: %d services, %d snis, %d plugins", len(got["services"]), len(got["snis"]), len(got["plugins"]))
	}
	// Importing again updates the entities whose ids are deterministic
	// (Kong's: certificates and key-auth credentials without ids would be
	// new entities, and their SNIs and keys conflict).
	const again = `_format_version: "3.0"
services:
- name: svc
  host: example.com
  routes:
  - name: r1
    paths: [/one]
    plugins:
    - name: key-auth
consumers:
- username: bob
  acls:
  - group: admins
`
	beforeAgain := content(t, db)
	if err := Import(ctx, db, mustParse(t, again), nil); err != nil {
		t.Fatalf("second import: %v", err)
	}
	after := content(t, db)
	for _, name := range []string{"services", "routes", "plugins", "consumers", "acls"} {
		if len(after[name]) != len(beforeAgain[name]) {
			t.Errorf("second import: %d %s, was %d", len(after[name]), name, len(beforeAgain[name]))
		}
	}
	if svc := findStored(after["services"], v5("services", "svc")); svc["host"] != "example.com" || svc["port"] != int64(80) {
		t.Errorf("service not updated by the second import: %v", svc)
	}
	// A conflict with the database's content is the DAO's error, and
	// nothing of the import is kept.
	before := content(t, db)
	conflict := mustParse(t, "_format_version: \"3.0\"\nconsumers:\n- username: carol\nservices:\n- id: 5c1e1f5a-0000-4000-8000-000000000001\n  name: existing\n  host: example.org\n")
	err = Import(ctx, db, conflict, nil)
	if se, ok := store.AsError(err); !ok || se.Code != store.CodeUniqueViolation {
		t.Fatalf("conflicting import = %v, want code 5", err)
	}
	if diff := cmp.Diff(before, content(t, db)); diff != "" {
		t.Errorf("failed import changed the database (-before +after):\n%s", diff)
	}
}

func findStored(rows []store.Row, id string) store.Row {
	for _, r := range rows {
		if r["id"] == id {
			return r
		}
	}
	return nil
}

func TestExport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	if err := Load(ctx, db, mustParse(t, nestedConfig())); err != nil {
		t.Fatal(err)
	}
	out, err := Export(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	if !strings.HasPrefix(text, "_format_version: \"3.0\"\n_transform: false\n") {
		t.Errorf("export starts with %q", text[:min(len(text), 60)])
	}
	order := []string{"\ncertificates:", "\nsnis:", "\nservices:", "\nroutes:", "\nconsumers:", "\nupstreams:",
		"\ntargets:", "\nplugins:", "\nkeyauth_credentials:", "\nacls:"}
	last := -1
	for _, key := range order {
		i := strings.Index(text, key)
		if i < last {
			t.Errorf("%s out of order (parents first)", strings.TrimSpace(key))
		}
		last = i
	}
	for _, want := range []string{"\n  service: " + v5("services", "svc") + "\n", "\n  path: /api\n", "\n  tags: null\n",
		"\nroutes:\n- created_at: "} {
		if !strings.Contains(text, want) {
			t.Errorf("export lacks %q", want)
		}
	}
	if strings.Contains(text, "sessions:") {
		t.Error("export includes a NoExport entity")
	}

	// Parse(Export(db)) is db's content.
	cfg, err := Parse(testCatalog(), out)
	if err != nil {
		t.Fatalf("parse export: %v", err)
	}
	if cfg.Transform {
		t.Error("_transform of an export is true")
	}
	stored := content(t, db)
	for _, e := range db.Catalog().All() {
		if e.NoExport {
			continue
		}
		want := stored[e.Name]
		if e.Name == "certificates" {
			for _, r := range want {
				delete(r, "snis") // SNIs are exported and read back as rows of snis
			}
		}
		if diff := cmp.Diff(want, toRows(cfg.Entities[e.Name]), ignoreUpdatedAt); diff != "" {
			t.Errorf("%s after round trip (-db +parsed):\n%s", e.Name, diff)
		}
	}
}

var ignoreUpdatedAt = cmp.FilterPath(func(p cmp.Path) bool {
	mi, ok := p.Last().(cmp.MapIndex)
	return ok && mi.Key().String() == "updated_at"
}, cmp.Ignore())

func toRows(rows []map[string]any) []store.Row {
	if rows == nil {
		return nil
	}
	out := make([]store.Row, len(rows))
	for i, r := range rows {
		out[i] = r
	}
	return out
}

func TestExportEmpty(t *testing.T) {
	t.Parallel()
	out, err := Export(context.Background(), newDB(t))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), "_format_version: \"3.0\"\n_transform: false\n"; got != want {
		t.Errorf("export of an empty db = %q, want %q", got, want)
	}
	cfg := mustParse(t, string(out))
	if cfg.Hash != EmptyHash {
		t.Errorf("hash = %s", cfg.Hash)
	}
}

func newBenchDB() *store.DB {
	c := testCatalog()
	return store.New(memory.New(c), c)
}
