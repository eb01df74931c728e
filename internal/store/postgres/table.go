package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/silverback-gw/silverback/internal/schema"
)

// column is one column of an entity's table and the field it stores.
type column struct {
	name  string       // column name
	field schema.Field // the field stored in it
	// kind is how values convert: see the kind constants.
	kind kind
}

// kind is the conversion between a field value and its column.
type kind int

const (
	kindPlain     kind = iota // same JSON value
	kindForeign               // {"id": x} <-> uuid
	kindTimestamp             // epoch seconds <-> timestamptz
)

// tableDef is the layout of one entity's table, read from the database at
// Open, and its SQL.
type tableDef struct {
	entity   *schema.Entity
	name     string // quoted table name
	columns  []column
	byField  map[string]*column // field name to its column
	cacheKey bool               // the table has a cache_key column
	// ttl is set for entities that expire (schema.Entity.TTL) stored in a
	// table with Kong's ttl column (the absolute expiry time).
	ttl      bool
	uuidCols map[string]bool // columns of type uuid

	insertSQL, replaceSQL, getSQL, deleteSQL, truncateSQL string
}

// colInfo is a column's type (udt name: uuid, text, int8, _text, jsonb,
// timestamptz…) and whether it is NOT NULL.
type colInfo struct {
	typ     string
	notNull bool
}

// tableColumns returns the columns of every table of the current schema.
func tableColumns(ctx context.Context, q queryer) (map[string]map[string]colInfo, error) {
	rows, err := q.Query(ctx, `SELECT table_name, column_name, udt_name, is_nullable = 'NO'
		FROM information_schema.columns WHERE table_schema = current_schema()`)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]colInfo{}
	var table, col string
	var info colInfo
	_, err = pgx.ForEachRow(rows, []any{&table, &col, &info.typ, &info.notNull}, func() error {
		if out[table] == nil {
			out[table] = map[string]colInfo{}
		}
		out[table][col] = info
		return nil
	})
	return out, err
}

// zeroValues are the values written to a NOT NULL column for a row that
// lacks its field, by type. The DAO always fills these fields; only rows
// written below it can lack them.
var zeroValues = map[string]string{
	"jsonb": "'{}'::jsonb", "bool": "false", "text": "''", "int2": "0", "int4": "0", "int8": "0",
}

// newTableDef maps the entity's fields onto the table's columns: a foreign
// field to "<name>_id", others to their name; each stored field needs one.
func newTableDef(e *schema.Entity, cols map[string]colInfo) (*tableDef, error) {
	if cols == nil {
		return nil, fmt.Errorf("no table %s", e.Name)
	}
	t := &tableDef{entity: e, name: quoteIdent(e.Name), byField: map[string]*column{}, uuidCols: map[string]bool{}}
	for _, f := range e.Fields {
		if f.IsTransient() {
			continue
		}
		c := column{name: f.Name(), field: f}
		if f.Type() == schema.Foreign {
			c.name, c.kind = f.Name()+"_id", kindForeign
		}
		info, ok := cols[c.name]
		if !ok {
			return nil, fmt.Errorf("table %s has no column %s for field %s", e.Name, c.name, f.Name())
		}
		if info.typ == "timestamptz" {
			c.kind = kindTimestamp
		}
		t.columns = append(t.columns, c)
	}
	for i := range t.columns {
		t.byField[t.columns[i].field.Name()] = &t.columns[i]
	}
	for name, info := range cols {
		if info.typ == "uuid" {
			t.uuidCols[name] = true
		}
	}
	_, t.cacheKey = cols["cache_key"]
	_, hasTTL := cols["ttl"]
	t.ttl = e.TTL && hasTTL
	t.buildSQL(cols)
	return t, nil
}

// buildSQL writes the table's statements. Rows are written as one jsonb
// object expanded by jsonb_populate_record, so PostgreSQL converts each value
// to its column's type, and read back whole with to_jsonb.
func (t *tableDef) buildSQL(cols map[string]colInfo) {
	names := make([]string, 0, len(t.columns)+2)
	values := make([]string, 0, len(t.columns)+2)
	for _, c := range t.columns {
		name := quoteIdent(c.name)
		names = append(names, name)
		if zero, ok := zeroValues[cols[c.name].typ]; ok && cols[c.name].notNull && c.name != "id" {
			name = "coalesce(" + name + ", " + zero + ")"
		}
		values = append(values, name)
	}
	if _, ok := cols["ws_id"]; ok {
		names, values = append(names, "ws_id"), append(values, "ws_id")
	}
	if t.cacheKey {
		names, values = append(names, "cache_key"), append(values, "cache_key")
	}
	if t.ttl {
		names, values = append(names, "ttl"), append(values, "ttl")
	}
	list, vals := strings.Join(names, ", "), strings.Join(values, ", ")
	src := "jsonb_populate_record(NULL::" + t.name + ", $1::jsonb)"
	t.insertSQL = "INSERT INTO " + t.name + " (" + list + ") SELECT " + vals + " FROM " + src
	t.replaceSQL = "UPDATE " + t.name + " SET (" + list + ") = (SELECT " + vals + " FROM " + src + ") WHERE id = $2"
	t.getSQL = t.getBySQL("id")
	t.deleteSQL = "DELETE FROM " + t.name + " WHERE id = $1"
	t.truncateSQL = "TRUNCATE " + t.name + " CASCADE"
}

// getBySQL selects the row whose column equals $1.
func (t *tableDef) getBySQL(col string) string {
	return "SELECT to_jsonb(t)::text FROM " + t.name + " t WHERE " + quoteIdent(col) + " = $1" + t.liveSQL(" AND ")
}

// liveSQL is the condition, after and, that leaves expired rows out, as
// Kong's reads do; "" for tables whose rows do not expire.
func (t *tableDef) liveSQL(and string) string {
	if !t.ttl {
		return ""
	}
	return and + "(ttl IS NULL OR ttl >= CURRENT_TIMESTAMP)"
}

// keyParts splits a DAO cache key ("<table>:<p1>:…:<p5>:", see
// store.CacheKey) into the values of the entity's cache key fields. Only
// the last field's value may contain ':'.
func (t *tableDef) keyParts(key string) ([]string, bool) {
	n := len(t.entity.CacheKey)
	rest, ok := strings.CutPrefix(key, t.entity.Name+":")
	if !ok || n == 0 {
		return nil, false
	}
	if rest, ok = strings.CutSuffix(rest, strings.Repeat(":", 6-n)); !ok {
		return nil, false
	}
	parts := strings.SplitN(rest, ":", n)
	if len(parts) != n {
		return nil, false
	}
	for _, f := range t.entity.CacheKey {
		if _, ok := t.byField[f]; !ok {
			return nil, false
		}
	}
	return parts, true
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string { return pgx.Identifier{s}.Sanitize() }
