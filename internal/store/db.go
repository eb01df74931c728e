package store

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Op names a committed change.
type Op string

// Change operations, as Kong's worker events name them.
const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
	// OpTruncate empties a whole table (a declarative reload); its event
	// has neither Old nor New.
	OpTruncate Op = "truncate"
)

// Event is one committed change: Old is nil on create, New nil on delete.
// Subscribers share the rows of an event and must not modify them.
type Event struct {
	Entity string
	Op     Op
	Old    Row
	New    Row
}

// DB is the data access layer over a Backend.
type DB struct {
	backend Backend
	catalog *entities.Catalog

	mu          sync.Mutex
	subscribers []func([]Event)
}

// New returns a DB storing the catalog's entities in backend.
func New(backend Backend, catalog *entities.Catalog) *DB {
	return &DB{backend: backend, catalog: catalog}
}

// Catalog returns the entities this DB stores.
func (db *DB) Catalog() *entities.Catalog { return db.catalog }

// Backend returns the underlying backend.
func (db *DB) Backend() Backend { return db.backend }

// Close closes the backend.
func (db *DB) Close() error { return db.backend.Close() }

// Subscribe registers fn to receive the events of every committed write
// transaction, in commit order. fn must not block.
func (db *DB) Subscribe(fn func([]Event)) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.subscribers = append(db.subscribers, fn)
}

func (db *DB) publish(events []Event) {
	if len(events) == 0 {
		return
	}
	db.mu.Lock()
	subs := slices.Clone(db.subscribers)
	db.mu.Unlock()
	for _, fn := range subs {
		fn(events)
	}
}

// Update runs fn in a read-write transaction and publishes its events once
// it commits. Anything fn returns as an error rolls the whole transaction
// back. Write transactions run one at a time; fn must not start another
// transaction (the memory backend would deadlock) nor keep tx after it
// returns.
func (db *DB) Update(ctx context.Context, fn func(*Txn) error) error {
	var events []Event
	err := db.backend.Update(ctx, func(tx Tx) error {
		t := &Txn{db: db, tx: tx}
		if err := fn(t); err != nil {
			return err
		}
		events = t.events
		return nil
	})
	if err != nil {
		return wrapBackendError(err)
	}
	db.publish(events)
	return nil
}

// View runs fn in a read-only transaction, which sees one consistent
// state of the store; many may run at once. Like Update's, fn must not
// start another transaction.
func (db *DB) View(ctx context.Context, fn func(*Txn) error) error {
	return wrapBackendError(db.backend.View(ctx, func(tx Tx) error {
		return fn(&Txn{db: db, tx: tx})
	}))
}

func wrapBackendError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := AsError(err); ok {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return DatabaseError(err)
}

// Txn is a DAO transaction: every method validates and checks as Kong's DAO
// does, and records change events published after commit.
type Txn struct {
	db     *DB
	tx     Tx
	events []Event
}

func (t *Txn) entity(name string) (*schema.Entity, error) {
	e, ok := t.db.catalog.Get(name)
	if !ok {
		return nil, DatabaseError(errors.New("unknown entity " + name))
	}
	return e, nil
}

// Get returns the entity with the id, or nil and no error when missing.
func (t *Txn) Get(ctx context.Context, entity, id string) (Row, error) {
	row, err := t.tx.Get(ctx, entity, id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return t.afterRead(ctx, entity, row)
}

// GetBy returns the entity whose unique field equals value, or nil.
func (t *Txn) GetBy(ctx context.Context, entity, field string, value any) (Row, error) {
	row, err := t.tx.GetBy(ctx, entity, field, value)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return t.afterRead(ctx, entity, row)
}

// Page returns one page of entities ordered by id.
func (t *Txn) Page(ctx context.Context, entity string, q Query) (Page, error) {
	if q.Size == 0 {
		q.Size = 100
	}
	if q.Offset != "" {
		if _, err := DecodeOffset(q.Offset); err != nil {
			return Page{}, err
		}
	}
	p, err := t.tx.Page(ctx, entity, q)
	if err != nil {
		return Page{}, err
	}
	for i, row := range p.Rows {
		if p.Rows[i], err = t.afterRead(ctx, entity, row); err != nil {
			return Page{}, err
		}
	}
	return p, nil
}

// Each calls fn for every entity of a table matching q, page by page.
func (t *Txn) Each(ctx context.Context, entity string, q Query, fn func(Row) error) error {
	q.Size = 1000
	for {
		p, err := t.Page(ctx, entity, q)
		if err != nil {
			return err
		}
		for _, row := range p.Rows {
			if err := fn(row); err != nil {
				return err
			}
		}
		if p.Offset == "" {
			return nil
		}
		q.Offset = p.Offset
	}
}

// Insert validates input as a new entity and stores it.
func (t *Txn) Insert(ctx context.Context, entity string, input map[string]any) (Row, error) {
	e, err := t.entity(entity)
	if err != nil {
		return nil, err
	}
	row, err := e.Validate(input, schema.OpInsert)
	if err != nil {
		return nil, schemaError(err)
	}
	return t.write(ctx, e, nil, row)
}

// Upsert replaces the entity with the id (given in input or the path) by
// input, validated as a complete entity, creating it when absent.
func (t *Txn) Upsert(ctx context.Context, entity, id string, input map[string]any) (Row, error) {
	e, err := t.entity(entity)
	if err != nil {
		return nil, err
	}
	in := copyRow(input)
	in["id"] = id
	row, err := e.Validate(in, schema.OpUpsert)
	if err != nil {
		return nil, schemaError(err)
	}
	keepUntouchedTransient(e, row, input)
	old, err := t.tx.Get(ctx, entity, row["id"].(string))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	return t.write(ctx, e, old, row)
}

// UpsertBy is Upsert addressed by a unique field: the path value wins over
// the body and an existing entity keeps its id.
func (t *Txn) UpsertBy(ctx context.Context, entity, field string, value any, input map[string]any) (Row, error) {
	e, err := t.entity(entity)
	if err != nil {
		return nil, err
	}
	in := copyRow(input)
	in[field] = value
	old, err := t.tx.GetBy(ctx, entity, field, value)
	switch {
	case err == nil:
		in["id"] = old["id"]
	case errors.Is(err, ErrNotFound):
		old = nil
	default:
		return nil, err
	}
	row, err := e.Validate(in, schema.OpUpsert)
	if err != nil {
		return nil, schemaError(err)
	}
	keepUntouchedTransient(e, row, input)
	return t.write(ctx, e, old, row)
}

// Update applies a partial update (PATCH) to the entity with the id. It
// returns nil and no error when the entity does not exist.
func (t *Txn) Update(ctx context.Context, entity, id string, patch map[string]any) (Row, error) {
	e, err := t.entity(entity)
	if err != nil {
		return nil, err
	}
	old, err := t.tx.Get(ctx, entity, id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	merged, err := e.MergeUpdate(old, patch)
	if err != nil {
		return nil, schemaError(err)
	}
	merged["id"] = id
	row, err := e.Validate(merged, schema.OpUpdate)
	if err != nil {
		return nil, schemaError(err)
	}
	keepUntouchedTransient(e, row, patch)
	return t.write(ctx, e, old, row)
}

// write stores a validated row after the DAO's checks; old is the stored
// row it replaces, nil for a new one.
func (t *Txn) write(ctx context.Context, e *schema.Entity, old, row Row) (Row, error) {
	if err := t.checkForeignKeys(ctx, e, row); err != nil {
		return nil, err
	}
	id, _ := row["id"].(string)
	if old == nil {
		if _, err := t.tx.Get(ctx, e.Name, id); err == nil {
			key := map[string]any{"id": id}
			return nil, newError(CodePrimaryKeyViolation, "primary key violation on key "+pkString(key), key)
		}
	}
	if err := t.checkUnique(ctx, e, row); err != nil {
		return nil, err
	}
	h := hooksFor(e.Name)
	stored := storedRow(e, row)
	if h.beforeWrite != nil {
		if err := h.beforeWrite(ctx, t, row); err != nil {
			return nil, err
		}
	}
	var err error
	if old == nil {
		err = t.tx.Insert(ctx, e.Name, stored, CacheKey(e, stored))
	} else {
		err = t.tx.Replace(ctx, e.Name, stored, CacheKey(e, stored))
	}
	if err != nil {
		return nil, t.uniqueError(e, stored, err)
	}
	if h.afterWrite != nil {
		if err := h.afterWrite(ctx, t, row); err != nil {
			return nil, err
		}
	}
	out := copyRow(stored)
	if out["ttl"] != nil {
		// the seconds left as the backend reads them back (rounded down,
		// so 9 for a ttl of 10 just written), as Kong's RETURNING does
		got, err := t.tx.Get(ctx, e.Name, id)
		if err != nil {
			return nil, err
		}
		if got != nil {
			out["ttl"] = got["ttl"]
		}
	}
	if out, err = t.afterRead(ctx, e.Name, out); err != nil {
		return nil, err
	}
	op := OpCreate
	if old != nil {
		op = OpUpdate
	}
	t.events = append(t.events, Event{Entity: e.Name, Op: op, Old: old, New: schema.Clone(out).(Row)})
	return out, nil
}

// Delete removes the entity with the id, cascading to children whose
// foreign key cascades and refusing while others reference it. It reports
// whether the entity existed.
func (t *Txn) Delete(ctx context.Context, entity, id string) (bool, error) {
	e, err := t.entity(entity)
	if err != nil {
		return false, err
	}
	old, err := t.tx.Get(ctx, entity, id)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if h := hooksFor(e.Name); h.beforeDelete != nil {
		if err := h.beforeDelete(ctx, t, old); err != nil {
			return false, err
		}
	}
	for _, ref := range t.db.catalog.Children(entity) {
		var children []string
		err := t.Each(ctx, ref.Entity.Name, Query{ForeignField: ref.Field.Name(), ForeignID: id}, func(r Row) error {
			children = append(children, r["id"].(string))
			return nil
		})
		if err != nil {
			return false, err
		}
		if len(children) == 0 {
			continue
		}
		if ref.Field.OnDelete() != "cascade" {
			return false, newError(CodeForeignKeyViolation,
				"an existing '"+ref.Entity.Name+"' entity references this '"+entity+"' entity",
				map[string]any{"@referenced_by": ref.Entity.Name})
		}
		for _, cid := range children {
			if _, err := t.Delete(ctx, ref.Entity.Name, cid); err != nil {
				return false, err
			}
		}
	}
	if err := t.tx.Delete(ctx, entity, id); err != nil {
		return false, err
	}
	t.events = append(t.events, Event{Entity: entity, Op: OpDelete, Old: old})
	return true, nil
}

// Truncate removes every entity of a table, without foreign-key checks or
// cascades: it serves whole-configuration reloads, which truncate every
// table (children first) and insert the new configuration in the same
// transaction.
func (t *Txn) Truncate(ctx context.Context, entity string) error {
	if _, err := t.entity(entity); err != nil {
		return err
	}
	if err := t.tx.Truncate(ctx, entity); err != nil {
		return err
	}
	t.events = append(t.events, Event{Entity: entity, Op: OpTruncate})
	return nil
}

func (t *Txn) checkForeignKeys(ctx context.Context, e *schema.Entity, row Row) error {
	for _, f := range e.ForeignKeys() {
		id := entities.ForeignID(row, f.Name())
		if id == "" {
			continue
		}
		_, err := t.tx.Get(ctx, f.Reference(), id)
		if errors.Is(err, ErrNotFound) {
			key := map[string]any{"id": id}
			return newError(CodeForeignKeyViolation,
				"the foreign key "+pkString(key)+" does not reference an existing '"+f.Reference()+"' entity.",
				map[string]any{f.Name(): key})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (t *Txn) checkUnique(ctx context.Context, e *schema.Entity, row Row) error {
	id := row["id"]
	for _, f := range e.UniqueFields() {
		v := row[f]
		if v == nil {
			continue
		}
		other, err := t.tx.GetBy(ctx, e.Name, f, v)
		if err == nil && other["id"] != id {
			return uniqueViolation(map[string]any{f: v})
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	if ck := CacheKey(e, row); ck != "" {
		other, err := t.tx.GetBy(ctx, e.Name, "cache_key", ck)
		if err == nil && other["id"] != id {
			return uniqueViolation(cacheKeyFields(e, row))
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

// uniqueError turns a backend's *UniqueViolation into Kong's error.
func (t *Txn) uniqueError(e *schema.Entity, row Row, err error) error {
	var uv *UniqueViolation
	if !errors.As(err, &uv) {
		return err
	}
	switch uv.Field {
	case "id":
		key := map[string]any{"id": row["id"]}
		return newError(CodePrimaryKeyViolation, "primary key violation on key "+pkString(key), key)
	case "cache_key":
		return uniqueViolation(cacheKeyFields(e, row))
	}
	return uniqueViolation(map[string]any{uv.Field: row[uv.Field]})
}

func uniqueViolation(fields map[string]any) *Error {
	return newError(CodeUniqueViolation, "UNIQUE violation detected on "+pkString(fields), fields)
}

// afterRead completes a row read from the backend (certificates' snis).
func (t *Txn) afterRead(ctx context.Context, entity string, row Row) (Row, error) {
	h := hooksFor(entity)
	if h.afterRead == nil {
		return row, nil
	}
	return row, h.afterRead(ctx, t, row)
}

func schemaError(err error) error {
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		return SchemaViolation(ve)
	}
	return err
}

// keepUntouchedTransient drops from a validated row the transient fields
// the input did not mention, which validation filled with null: PUT and
// PATCH without `snis` keep a certificate's SNIs, while `"snis": null` or
// `[]` removes them (Kong's kong/db/dao/certificates.lua).
func keepUntouchedTransient(e *schema.Entity, row, input Row) {
	for _, f := range e.Fields {
		if _, given := input[f.Name()]; f.IsTransient() && !given {
			delete(row, f.Name())
		}
	}
}

// storedRow drops transient fields.
func storedRow(e *schema.Entity, row Row) Row {
	out := make(Row, len(row))
	for k, v := range row {
		if f, ok := e.Field(k); ok && f.IsTransient() {
			continue
		}
		out[k] = v
	}
	return out
}

func copyRow(r map[string]any) map[string]any {
	out := make(map[string]any, len(r)+1)
	for k, v := range r {
		out[k] = v
	}
	return out
}
