package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/internal/rowjson"
)

// tx is a transaction over a locked Backend. A writable tx records, for
// every change, the function that reverts it.
type tx struct {
	b        *Backend
	writable bool
	undo     []func()
	// purged are the TTL tables whose expired rows this transaction
	// already removed: once per table, not per write, so that loading many
	// credentials stays linear.
	purged map[*table]bool
	// dec decodes the rows read, taken from the backend's pool on first
	// use; enc encodes the rows written.
	dec *rowjson.Decoder
	enc encoder
}

var _ store.Tx = (*tx)(nil)

// decoder returns the transaction's decoder.
func (t *tx) decoder() *rowjson.Decoder {
	if t.dec == nil {
		t.dec = t.b.decoders.Get().(*rowjson.Decoder)
	}
	return t.dec
}

// done returns the decoder to the pool once the transaction is over.
func (t *tx) done() {
	if t.dec != nil {
		t.b.decoders.Put(t.dec)
		t.dec = nil
	}
}

func (t *tx) rollback() {
	for _, u := range slices.Backward(t.undo) {
		u()
	}
	t.undo = nil
}

// Get returns the row with the id.
func (t *tx) Get(_ context.Context, table, id string) (store.Row, error) {
	tb, err := t.b.table(table)
	if err != nil {
		return nil, err
	}
	rec, ok := tb.rows[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	row, ok := t.read(tb, rec)
	if !ok {
		return nil, store.ErrNotFound
	}
	return row, nil
}

// GetBy returns the row whose unique field, "id" or "cache_key" equals
// value.
func (t *tx) GetBy(_ context.Context, table, field string, value any) (store.Row, error) {
	tb, err := t.b.table(table)
	if err != nil {
		return nil, err
	}
	id, ok := tb.lookup(field, value)
	if !ok {
		return nil, store.ErrNotFound
	}
	row, ok := t.read(tb, tb.rows[id])
	if !ok {
		return nil, store.ErrNotFound
	}
	return row, nil
}

// Insert stores row, encoded.
func (t *tx) Insert(_ context.Context, table string, row store.Row, cacheKey string) error {
	tb, id, err := t.writeTarget(table, row)
	if err != nil {
		return err
	}
	t.purgeExpired(tb)
	row, exp := splitExpiry(tb, row)
	if f := tb.conflict(id, row, cacheKey, true); f != "" {
		return &store.UniqueViolation{Field: f, Value: conflictValue(f, id, row, cacheKey)}
	}
	rec, err := t.encode(tb, id, row, cacheKey)
	if err != nil {
		return err
	}
	tb.put(t.decoder(), rec, exp)
	t.undo = append(t.undo, func() { tb.remove(t.decoder(), id) })
	return nil
}

// Replace overwrites the row with the same id by row, encoded.
func (t *tx) Replace(_ context.Context, table string, row store.Row, cacheKey string) error {
	tb, id, err := t.writeTarget(table, row)
	if err != nil {
		return err
	}
	t.purgeExpired(tb)
	row, exp := splitExpiry(tb, row)
	if _, ok := tb.rows[id]; !ok {
		return store.ErrNotFound
	}
	if f := tb.conflict(id, row, cacheKey, false); f != "" {
		return &store.UniqueViolation{Field: f, Value: conflictValue(f, id, row, cacheKey)}
	}
	rec, err := t.encode(tb, id, row, cacheKey)
	if err != nil {
		return err
	}
	old, _ := tb.remove(t.decoder(), id)
	tb.put(t.decoder(), rec, exp)
	t.undo = append(t.undo, func() {
		tb.remove(t.decoder(), id)
		tb.restore(t.decoder(), old)
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
	if old, ok := tb.remove(t.decoder(), id); ok {
		t.undo = append(t.undo, func() { tb.restore(t.decoder(), old) })
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

// encode returns the record of row.
func (t *tx) encode(tb *table, id string, row store.Row, cacheKey string) (string, error) {
	rec, err := tb.codec.encode(&t.enc, id, cacheKey, row)
	if err != nil {
		return "", fmt.Errorf("memory: encode %s %s: %w", tb.entity.Name, id, err)
	}
	return rec, nil
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
