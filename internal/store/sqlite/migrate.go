package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// schemaVersion is the version of the table layout this package writes.
// Bump it, and teach migrate the step, when the layout changes in a way
// that adding missing columns and indexes does not cover.
const schemaVersion = 1

// migrate creates schema_meta and the entity tables, adds columns and
// indexes missing from existing tables, and records the layout version.
func (b *Backend) migrate(ctx context.Context) error {
	tx, err := b.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`); err != nil {
		return err
	}
	var stored string
	err = tx.QueryRowContext(ctx, `SELECT value FROM schema_meta WHERE key='version'`).Scan(&stored)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	default:
		if v, _ := strconv.Atoi(stored); v > schemaVersion {
			return fmt.Errorf("database layout version %s is newer than this release's (%d)", stored, schemaVersion)
		}
	}
	for _, t := range b.tables {
		if err := migrateTable(ctx, tx, t); err != nil {
			return fmt.Errorf("table %s: %w", t.entity.Name, err)
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO schema_meta (key, value) VALUES ('version', ?)
		ON CONFLICT (key) DO UPDATE SET value=excluded.value`, strconv.Itoa(schemaVersion))
	if err != nil {
		return err
	}
	return tx.Commit()
}

// migrateTable creates t, or adds the indexed columns an older t lacks and
// fills them from data, then creates missing indexes.
func migrateTable(ctx context.Context, tx *sql.Tx, t *tableDef) error {
	if _, err := tx.ExecContext(ctx, t.createSQL()); err != nil {
		return err
	}
	have, err := tableColumns(ctx, tx, t.entity.Name)
	if err != nil {
		return err
	}
	for _, c := range t.columns {
		if have[c.name] {
			continue
		}
		typ := " TEXT"
		if c.unique {
			typ = ""
		}
		if _, err := tx.ExecContext(ctx, "ALTER TABLE "+t.name+" ADD COLUMN "+quote(c.name)+typ); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE "+t.name+" SET "+quote(c.name)+"=json_extract(data, ?)", c.path()); err != nil {
			return err
		}
	}
	for _, stmt := range t.indexSQL() {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

func tableColumns(ctx context.Context, tx *sql.Tx, table string) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, "SELECT name FROM pragma_table_info(?)", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		have[name] = true
	}
	return have, rows.Err()
}
