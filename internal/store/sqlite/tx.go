package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/internal/rowjson"
)

// tx is a store.Tx over an SQL transaction.
type tx struct {
	b     *Backend
	tx    *sql.Tx
	stmts stmts
	// purged are the TTL tables whose expired rows this transaction
	// already deleted: once per table, not per write, so that importing
	// many credentials stays linear.
	purged map[string]bool
}

// exec runs a statement, prepared when it is one of t.stmts.
func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st, ok := t.stmts[query]; ok {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

// query runs a query, prepared when it is one of t.stmts.
func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st, ok := t.stmts[query]; ok {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

var _ store.Tx = (*tx)(nil)

// Get returns the row with the id.
func (t *tx) Get(ctx context.Context, table, id string) (store.Row, error) {
	td, err := t.b.table(table)
	if err != nil {
		return nil, err
	}
	return t.one(ctx, td.getSQL, id)
}

// GetBy returns the row whose unique field, "id" or "cache_key" equals value.
func (t *tx) GetBy(ctx context.Context, table, field string, value any) (store.Row, error) {
	td, err := t.b.table(table)
	if err != nil {
		return nil, err
	}
	col := field
	switch field {
	case "id", "cache_key":
	default:
		var ok bool
		if col, ok = td.byField[field]; !ok {
			return nil, fmt.Errorf("sqlite: %s has no unique field %q", table, field)
		}
	}
	return t.one(ctx, td.getBySQL(col), value)
}

func (t *tx) one(ctx context.Context, query string, arg any) (store.Row, error) {
	rows, err := t.query(ctx, query, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, orErr(rows.Err(), store.ErrNotFound)
	}
	var data []byte
	if err := rows.Scan(&data); err != nil {
		return nil, err
	}
	row, err := rowjson.UnmarshalObject(data)
	if err != nil {
		return nil, err
	}
	if row, ok := decodeTTL(row); ok {
		return row, nil
	}
	return nil, store.ErrNotFound
}

// Insert adds a row.
func (t *tx) Insert(ctx context.Context, table string, row store.Row, cacheKey string) error {
	td, err := t.b.table(table)
	if err != nil {
		return err
	}
	if err := t.purgeExpired(ctx, td); err != nil {
		return err
	}
	args, err := td.args(encodeTTL(td, row), cacheKey)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, td.insertSQL, args...)
	return td.constraintError(err)
}

// Replace overwrites the row with the same id.
func (t *tx) Replace(ctx context.Context, table string, row store.Row, cacheKey string) error {
	td, err := t.b.table(table)
	if err != nil {
		return err
	}
	if err := t.purgeExpired(ctx, td); err != nil {
		return err
	}
	args, err := td.args(encodeTTL(td, row), cacheKey)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, td.replaceSQL, append(args[1:], args[0])...)
	if err != nil {
		return td.constraintError(err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return orErr(err, store.ErrNotFound)
	}
	return nil
}

// Delete removes the row with the id.
func (t *tx) Delete(ctx context.Context, table, id string) error {
	td, err := t.b.table(table)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, td.deleteSQL, id)
	return err
}

// Truncate removes every row of the table.
func (t *tx) Truncate(ctx context.Context, table string) error {
	td, err := t.b.table(table)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, td.truncateSQL)
	return err
}

// args returns the values of insertSQL's columns for row.
func (td *tableDef) args(row store.Row, cacheKey string) ([]any, error) {
	id, _ := row["id"].(string)
	data, err := rowjson.Marshal(row)
	if err != nil {
		return nil, fmt.Errorf("sqlite: encode %s %s: %w", td.entity.Name, id, err)
	}
	args := make([]any, 0, 4+len(td.columns))
	args = append(args, id, string(data), nullString(cacheKey), nil)
	if tags, ok := row["tags"].([]any); ok && len(tags) > 0 {
		text, err := rowjson.Marshal(tags)
		if err != nil {
			return nil, err
		}
		args[3] = string(text)
	}
	for _, c := range td.columns {
		if c.unique {
			args = append(args, row[c.field])
		} else {
			args = append(args, nullString(entities.ForeignID(row, c.field)))
		}
	}
	return args, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// orErr returns err, or fallback when err is nil.
func orErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}
