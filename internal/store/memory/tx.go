package memory

import (
	"context"
	"slices"

	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// tx is a transaction over a locked Backend. A writable tx records, for
// every change, the function that reverts it.
type tx struct {
	b        *Backend
	writable bool
	// shared read transactions hand out the stored rows themselves.
	shared bool
	undo   []func()
	// purged are the TTL tables whose expired rows this transaction
	// already removed: once per table, not per write, so that loading many
	// credentials stays linear.
	purged map[*table]bool
}

// out returns row as a reader gets it: a copy, unless the transaction is shared.
func (t *tx) out(row store.Row) store.Row {
	if t.shared {
		return row
	}
	return clone(row)
}

var _ store.Tx = (*tx)(nil)

func (t *tx) rollback() {
	for _, u := range slices.Backward(t.undo) {
		u()
	}
	t.undo = nil
}

// Get returns a copy of the row with the id.
func (t *tx) Get(_ context.Context, table, id string) (store.Row, error) {
	tb, err := t.b.table(table)
	if err != nil {
		return nil, err
	}
	row, ok := tb.rows[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	if row, ok = t.read(row); !ok {
		return nil, store.ErrNotFound
	}
	return row, nil
}

// GetBy returns a copy of the row whose unique field, "id" or "cache_key"
// equals value.
func (t *tx) GetBy(_ context.Context, table, field string, value any) (store.Row, error) {
	tb, err := t.b.table(table)
	if err != nil {
		return nil, err
	}
	id, ok := tb.lookup(field, value)
	if !ok {
		return nil, store.ErrNotFound
	}
	row, ok := t.read(tb.rows[id])
	if !ok {
		return nil, store.ErrNotFound
	}
	return row, nil
}

// Insert stores a copy of row.
func (t *tx) Insert(_ context.Context, table string, row store.Row, cacheKey string) error {
	tb, id, err := t.writeTarget(table, row)
	if err != nil {
		return err
	}
	t.purgeExpired(tb)
	row = withExpiry(tb, row)
	if f := tb.conflict(id, row, cacheKey, true); f != "" {
		return &store.UniqueViolation{Field: f, Value: conflictValue(f, id, row, cacheKey)}
	}
	tb.put(id, clone(row), cacheKey)
	t.undo = append(t.undo, func() { tb.remove(id) })
	return nil
}

// Replace overwrites the row with the same id by a copy of row.
func (t *tx) Replace(_ context.Context, table string, row store.Row, cacheKey string) error {
	tb, id, err := t.writeTarget(table, row)
	if err != nil {
		return err
	}
	t.purgeExpired(tb)
	row = withExpiry(tb, row)
	if _, ok := tb.rows[id]; !ok {
		return store.ErrNotFound
	}
	if f := tb.conflict(id, row, cacheKey, false); f != "" {
		return &store.UniqueViolation{Field: f, Value: conflictValue(f, id, row, cacheKey)}
	}
	old, oldKey, _ := tb.remove(id)
	tb.put(id, clone(row), cacheKey)
	t.undo = append(t.undo, func() {
		tb.remove(id)
		tb.put(id, old, oldKey)
	})
	return nil
}

// Delete removes the row with the id, if any.
func (t *tx) Delete(_ context.Context, table, id string) error {
	if !t.writable {
		return errReadOnly
	}
	tb, err := t.b.table(table)
	if err != nil {
		return err
	}
	if old, oldKey, ok := tb.remove(id); ok {
		t.undo = append(t.undo, func() { tb.put(id, old, oldKey) })
	}
	return nil
}

// Truncate empties the table; the old one is kept for the undo log.
func (t *tx) Truncate(_ context.Context, table string) error {
	if !t.writable {
		return errReadOnly
	}
	old, err := t.b.table(table)
	if err != nil {
		return err
	}
	t.b.tables[table] = newTable(old.entity)
	t.undo = append(t.undo, func() { t.b.tables[table] = old })
	return nil
}

func (t *tx) writeTarget(table string, row store.Row) (*table, string, error) {
	if !t.writable {
		return nil, "", errReadOnly
	}
	tb, err := t.b.table(table)
	if err != nil {
		return nil, "", err
	}
	id, _ := row["id"].(string)
	return tb, id, nil
}

func conflictValue(field, id string, row store.Row, cacheKey string) any {
	switch field {
	case "id":
		return id
	case "cache_key":
		return cacheKey
	}
	return row[field]
}

func clone(row store.Row) store.Row {
	return schema.Clone(row).(map[string]any)
}
