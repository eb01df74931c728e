package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/internal/rowjson"
)

// tx is a store.Tx over a pgx transaction.
type tx struct {
	b   *Backend
	tx  pgx.Tx
	dec rowjson.Decoder
}

var _ store.Tx = (*tx)(nil)

// Get returns the row with the id.
func (t *tx) Get(ctx context.Context, table, id string) (store.Row, error) {
	td, err := t.b.table(table)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, store.ErrNotFound
	}
	return t.one(ctx, td, td.getSQL, id)
}

// GetBy returns the row whose unique field, "id" or "cache_key" equals value.
func (t *tx) GetBy(ctx context.Context, table, field string, value any) (store.Row, error) {
	td, err := t.b.table(table)
	if err != nil {
		return nil, err
	}
	col := field
	switch field {
	case "id":
	case "cache_key":
		if !td.cacheKey {
			return t.getByKeyParts(ctx, td, value)
		}
	default:
		c, ok := td.byField[field]
		if !ok || !c.field.IsUnique() {
			return nil, fmt.Errorf("postgres: %s has no unique field %q", table, field)
		}
		col = c.name
	}
	if s, ok := value.(string); ok && td.uuidCols[col] && !isUUID(s) {
		return nil, store.ErrNotFound
	}
	if s, ok := value.(string); ok && col == "cache_key" {
		value = storedCacheKey(s, t.b.wsID)
	}
	return t.one(ctx, td, td.getBySQL(col), escape(value))
}

// getByKeyParts finds a row by its cache key in a table that has no
// cache_key column (Kong has one only for keys of several fields, and not
// on every table): by the key's fields, parsed from it.
func (t *tx) getByKeyParts(ctx context.Context, td *tableDef, value any) (store.Row, error) {
	key, _ := value.(string)
	parts, ok := td.keyParts(key)
	if !ok {
		return nil, store.ErrNotFound
	}
	where := make([]string, len(parts))
	args := make([]any, 0, len(parts))
	for i, f := range td.entity.CacheKey {
		c := td.byField[f]
		switch {
		case parts[i] == "":
			where[i] = quoteIdent(c.name) + " IS NULL"
		case td.uuidCols[c.name] && !isUUID(parts[i]):
			return nil, store.ErrNotFound
		default:
			args = append(args, escape(parts[i]))
			where[i] = quoteIdent(c.name) + " = $" + strconv.Itoa(len(args))
		}
	}
	query := "SELECT to_jsonb(t)::text FROM " + td.name + " t WHERE " + strings.Join(where, " AND ") + td.liveSQL(" AND ")
	var data []byte
	err := t.tx.QueryRow(ctx, query, args...).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return td.decode(&t.dec, data)
}

func (t *tx) one(ctx context.Context, td *tableDef, query string, arg any) (store.Row, error) {
	var data []byte
	err := t.tx.QueryRow(ctx, query, arg).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return td.decode(&t.dec, data)
}

// Insert adds a row.
func (t *tx) Insert(ctx context.Context, table string, row store.Row, cacheKey string) error {
	td, err := t.b.table(table)
	if err != nil {
		return err
	}
	data, err := td.encode(row, t.b.wsID, cacheKey)
	if err != nil {
		return err
	}
	_, err = t.write(ctx, td.insertSQL, data)
	return td.constraintError(err, row, cacheKey)
}

// Replace overwrites the row with the same id.
func (t *tx) Replace(ctx context.Context, table string, row store.Row, cacheKey string) error {
	td, err := t.b.table(table)
	if err != nil {
		return err
	}
	id, _ := row["id"].(string)
	if !isUUID(id) {
		return store.ErrNotFound
	}
	data, err := td.encode(row, t.b.wsID, cacheKey)
	if err != nil {
		return err
	}
	tag, err := t.write(ctx, td.replaceSQL, data, id)
	if err != nil {
		return td.constraintError(err, row, cacheKey)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// write runs a statement that may break a constraint inside a savepoint,
// sent with it in one round trip, so that a violation leaves the
// transaction usable, as it does on the other backends.
func (t *tx) write(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	var batch pgx.Batch
	batch.Queue("SAVEPOINT silverback_write")
	batch.Queue(sql, args...)
	batch.Queue("RELEASE SAVEPOINT silverback_write")
	br := t.tx.SendBatch(ctx, &batch)
	_, err := br.Exec()
	var tag pgconn.CommandTag
	if err == nil {
		tag, err = br.Exec()
	}
	if err == nil {
		_, err = br.Exec()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if _, rerr := t.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT silverback_write"); rerr != nil {
			return tag, errors.Join(err, rerr)
		}
	}
	return tag, err
}

// Delete removes the row with the id.
func (t *tx) Delete(ctx context.Context, table, id string) error {
	td, err := t.b.table(table)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return nil
	}
	_, err = t.tx.Exec(ctx, td.deleteSQL, id)
	return err
}

// Truncate removes every row of the table and, as Kong's truncate
// (CASCADE), of the tables referencing it, with their rows in the tags
// table: TRUNCATE fires no row trigger.
func (t *tx) Truncate(ctx context.Context, table string) error {
	td, err := t.b.table(table)
	if err != nil {
		return err
	}
	if _, err := t.tx.Exec(ctx, td.truncateSQL); err != nil {
		return err
	}
	_, err = t.tx.Exec(ctx, truncateTagsSQL, td.name)
	return err
}

// truncateTagsSQL deletes the tags of the table $1 and of every table
// referencing it, directly or not.
const truncateTagsSQL = `WITH RECURSIVE refs (rel) AS (
	SELECT $1::regclass::oid
	UNION
	SELECT c.conrelid FROM pg_constraint c JOIN refs ON c.confrelid = refs.rel WHERE c.contype = 'f'
)
DELETE FROM tags WHERE entity_name IN (SELECT relname FROM pg_class WHERE oid IN (SELECT rel FROM refs))`

// isUUID reports whether s can be stored in a uuid column.
func isUUID(s string) bool {
	if len(s) != 36 || strings.Count(s, "-") != 4 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}
