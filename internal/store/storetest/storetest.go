// Package storetest is the conformance suite every store.Backend passes:
// memory, sqlite and postgres run the same body through Run, so Kong's DAO
// semantics (codes, messages, cascades, paging, events, SNIs) are asserted
// once, over the DAO, whatever stores the rows.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, c *entities.Catalog) store.Backend {
//			return memory.New(c)
//		})
//	}
package storetest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// OpenFunc returns a new, empty backend storing the catalog's entities. The
// suite closes it; open should register any other cleanup with t.Cleanup.
type OpenFunc func(t *testing.T, c *entities.Catalog) store.Backend

// Run runs the conformance suite: each subtest gets a fresh backend from open.
func Run(t *testing.T, open OpenFunc) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open OpenFunc)
	}{
		{"Insert", testInsert},
		{"Get", testGet},
		{"Values", testValues},
		{"Unique", testUnique},
		{"PrimaryKey", testPrimaryKey},
		{"ForeignKey", testForeignKey},
		{"DeleteRestrict", testDeleteRestrict},
		{"DeleteCascade", testDeleteCascade},
		{"Upsert", testUpsert},
		{"UpsertBy", testUpsertBy},
		{"Patch", testPatch},
		{"PluginCacheKey", testPluginCacheKey},
		{"Page", testPage},
		{"PageForeign", testPageForeign},
		{"PageInvalidOffset", testPageInvalidOffset},
		{"Tags", testTags},
		{"Rollback", testRollback},
		{"Events", testEvents},
		{"Certificates", testCertificates},
		{"CertificateErrors", testCertificateErrors},
		{"Truncate", testTruncate},
		{"Concurrency", testConcurrency},
		{"Backend", testBackend},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open)
		})
	}
}

// testPlugin is the plugin the suite configures: a config with an integer,
// a number, a string list and a nested record, to exercise value types.
const testPlugin = "x-test"

type testPlugins struct{}

func (testPlugins) Subschema(name string) (*schema.Subschema, bool) {
	if name != testPlugin {
		return nil, false
	}
	return &schema.Subschema{Fields: []schema.Field{
		schema.RecordOf("config",
			schema.Int("limit").Default(5),
			schema.Num("ratio").Default(0.5),
			schema.ArrayOf("names", schema.Str("")),
			schema.RecordOf("nested", schema.Int("depth").Default(1), schema.Num("weight").Default(2)),
		),
	}}, true
}

// Catalog returns the catalog the suite uses: the core entities with the
// x-test plugin loaded.
func Catalog() *entities.Catalog { return entities.NewCatalog(testPlugins{}) }

// harness is one test's DB over a fresh backend.
type harness struct {
	t   *testing.T
	db  *store.DB
	ctx context.Context
}

func newHarness(t *testing.T, open OpenFunc) *harness {
	t.Helper()
	c := Catalog()
	db := store.New(open(t, c), c)
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return &harness{t: t, db: db, ctx: t.Context()}
}

// entity returns the catalog's declaration of an entity.
func (h *harness) entity(name string) *schema.Entity {
	h.t.Helper()
	e, ok := h.db.Catalog().Get(name)
	if !ok {
		h.t.Fatalf("no entity %q", name)
	}
	return e
}

// obj decodes a JSON object as the Admin API does (numbers as json.Number).
func obj(t *testing.T, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return m
}

// write runs fn in a write transaction and returns its error.
func (h *harness) write(fn func(tx *store.Txn) error) error {
	return h.db.Update(h.ctx, fn)
}

// insert stores an entity given as JSON, failing the test on error.
func (h *harness) insert(entity, body string) store.Row {
	h.t.Helper()
	row, err := h.tryInsert(entity, body)
	if err != nil {
		h.t.Fatalf("insert %s %s: %v", entity, body, err)
	}
	return row
}

func (h *harness) tryInsert(entity, body string) (store.Row, error) {
	h.t.Helper()
	in := obj(h.t, body)
	var row store.Row
	err := h.write(func(tx *store.Txn) (err error) {
		row, err = tx.Insert(h.ctx, entity, in)
		return err
	})
	return row, err
}

// get returns the entity with the id, nil when missing.
func (h *harness) get(entity, id string) store.Row {
	h.t.Helper()
	var row store.Row
	err := h.db.View(h.ctx, func(tx *store.Txn) (err error) {
		row, err = tx.Get(h.ctx, entity, id)
		return err
	})
	if err != nil {
		h.t.Fatalf("get %s %s: %v", entity, id, err)
	}
	return row
}

// getBy returns the entity whose unique field equals value, nil when missing.
func (h *harness) getBy(entity, field string, value any) store.Row {
	h.t.Helper()
	var row store.Row
	err := h.db.View(h.ctx, func(tx *store.Txn) (err error) {
		row, err = tx.GetBy(h.ctx, entity, field, value)
		return err
	})
	if err != nil {
		h.t.Fatalf("get %s by %s: %v", entity, field, err)
	}
	return row
}

// page returns one page of entities.
func (h *harness) page(entity string, q store.Query) (store.Page, error) {
	var p store.Page
	err := h.db.View(h.ctx, func(tx *store.Txn) (err error) {
		p, err = tx.Page(h.ctx, entity, q)
		return err
	})
	return p, err
}

// all returns every entity of a table matching q, through Each.
func (h *harness) all(entity string, q store.Query) []store.Row {
	h.t.Helper()
	rows := []store.Row{}
	err := h.db.View(h.ctx, func(tx *store.Txn) error {
		return tx.Each(h.ctx, entity, q, func(r store.Row) error {
			rows = append(rows, r)
			return nil
		})
	})
	if err != nil {
		h.t.Fatalf("list %s: %v", entity, err)
	}
	return rows
}

// ids returns the ids of rows, in their order.
func ids(rows []store.Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i], _ = r["id"].(string)
	}
	return out
}

// kongError is the client-visible part of a *store.Error.
type kongError struct {
	Code    store.Code
	Name    string
	Message string
	Fields  map[string]any
}

// wantError fails unless err is a *store.Error equal to want.
func wantError(t *testing.T, err error, want kongError) {
	t.Helper()
	e, ok := store.AsError(err)
	if !ok {
		t.Fatalf("error = %v (%T), want a *store.Error with code %d", err, err, want.Code)
	}
	got := kongError{Code: e.Code, Name: e.Name, Message: e.Message, Fields: e.Fields}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

// withoutAuto drops the generated fields, for comparisons with literals.
func withoutAuto(r store.Row) store.Row {
	out := make(store.Row, len(r))
	for k, v := range r {
		switch k {
		case "id", "created_at", "updated_at":
		default:
			out[k] = v
		}
	}
	return out
}

// sortStrings compares string slices as sets.
var sortStrings = cmpopts.SortSlices(func(a, b string) bool { return a < b })

// sortAny compares []any of strings as sets; emptyAny equates nil and empty.
var (
	sortAny  = cmpopts.SortSlices(func(a, b any) bool { return a.(string) < b.(string) })
	emptyAny = cmpopts.EquateEmpty()
)
