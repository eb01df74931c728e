package sqlite

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/silverback-gw/silverback/internal/schema"
)

// column is an indexed column of an entity table, filled from the row.
type column struct {
	name   string // column name
	field  string // the unique field, or the foreign field
	unique bool   // a unique field; otherwise a foreign key ("<field>_id")
}

// path is the JSON path of the column's value inside data.
func (c column) path() string {
	if c.unique {
		return `$."` + c.field + `"`
	}
	return `$."` + c.field + `".id`
}

// tableDef is the layout of one entity's table and its prepared SQL.
type tableDef struct {
	entity  *schema.Entity
	name    string // quoted table name
	columns []column
	// byField maps a unique field to its column name.
	byField map[string]string
	// byForeign maps a foreign field to its column name.
	byForeign map[string]string

	insertSQL, replaceSQL, getSQL, deleteSQL, truncateSQL string
}

// reserved are the columns every table has.
var reserved = []string{"id", "data", "cache_key", "tags"}

func newTableDef(e *schema.Entity) (*tableDef, error) {
	t := &tableDef{entity: e, name: quote(e.Name), byField: map[string]string{}, byForeign: map[string]string{}}
	seen := map[string]bool{}
	for _, r := range reserved {
		seen[r] = true
	}
	add := func(c column) error {
		if seen[c.name] {
			return fmt.Errorf("%s: column %q is taken", e.Name, c.name)
		}
		seen[c.name] = true
		t.columns = append(t.columns, c)
		return nil
	}
	for _, f := range e.UniqueFields() {
		if err := add(column{name: f, field: f, unique: true}); err != nil {
			return nil, err
		}
		t.byField[f] = f
	}
	for _, f := range e.ForeignKeys() {
		name := f.Name() + "_id"
		if err := add(column{name: name, field: f.Name()}); err != nil {
			return nil, err
		}
		t.byForeign[f.Name()] = name
	}
	t.prepareSQL()
	return t, nil
}

func (t *tableDef) prepareSQL() {
	names := []string{"id", "data", "cache_key", "tags"}
	for _, c := range t.columns {
		names = append(names, quote(c.name))
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(names)), ",")
	t.insertSQL = "INSERT INTO " + t.name + " (" + strings.Join(names, ",") + ") VALUES (" + marks + ")"
	sets := make([]string, 0, len(names)-1)
	for _, n := range names[1:] {
		sets = append(sets, n+"=?")
	}
	t.replaceSQL = "UPDATE " + t.name + " SET " + strings.Join(sets, ",") + " WHERE id=?"
	t.getSQL = "SELECT data FROM " + t.name + " WHERE id=?"
	t.deleteSQL = "DELETE FROM " + t.name + " WHERE id=?"
	t.truncateSQL = "DELETE FROM " + t.name
}

// getBySQL selects the row whose column (id, cache_key or a unique
// field's) equals a value.
func (t *tableDef) getBySQL(col string) string {
	return "SELECT data FROM " + t.name + " WHERE " + quote(col) + "=?"
}

// pageSQL selects a page: rows after an id (when offset), of one parent
// (when fkCol is set) and with all or any (tagsAny) of tags tags, in id
// order; the last argument is the LIMIT.
func (t *tableDef) pageSQL(offset bool, fkCol string, tags int, tagsAny bool) string {
	var where []string
	if offset {
		where = append(where, "id>?")
	}
	if fkCol != "" {
		where = append(where, quote(fkCol)+"=?")
	}
	if tags > 0 {
		in := "value IN (" + strings.TrimSuffix(strings.Repeat("?,", tags), ",") + ")"
		if tagsAny {
			where = append(where, "EXISTS (SELECT 1 FROM json_each(tags) WHERE "+in+")")
		} else {
			where = append(where, "(SELECT count(*) FROM json_each(tags) WHERE "+in+")="+strconv.Itoa(tags))
		}
	}
	query := "SELECT id, data FROM " + t.name
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	return query + " ORDER BY id LIMIT ?"
}

// readQueries are the queries worth preparing: lookups and the pages
// without tags filter.
func (t *tableDef) readQueries() []string {
	out := []string{t.getSQL, t.getBySQL("cache_key")}
	for _, c := range t.columns {
		if c.unique {
			out = append(out, t.getBySQL(c.name))
		} else {
			out = append(out, t.pageSQL(false, c.name, 0, false), t.pageSQL(true, c.name, 0, false))
		}
	}
	return append(out, t.pageSQL(false, "", 0, false), t.pageSQL(true, "", 0, false))
}

// writeQueries are the writes worth preparing.
func (t *tableDef) writeQueries() []string {
	return []string{t.insertSQL, t.replaceSQL, t.deleteSQL}
}

// createSQL returns the statement creating the table. creating the table and its indexes.
func (t *tableDef) createSQL() string {
	cols := []string{"id TEXT PRIMARY KEY", "data TEXT NOT NULL", "cache_key", "tags TEXT"}
	for _, c := range t.columns {
		if c.unique {
			cols = append(cols, quote(c.name)) // no type: values keep theirs
		} else {
			cols = append(cols, quote(c.name)+" TEXT")
		}
	}
	return "CREATE TABLE IF NOT EXISTS " + t.name + " (" + strings.Join(cols, ", ") + ")"
}

// indexSQL returns the statements creating the table's indexes.
func (t *tableDef) indexSQL() []string {
	e := t.entity.Name
	out := []string{"CREATE UNIQUE INDEX IF NOT EXISTS " + quote(e+"_cache_key_key") + " ON " + t.name + " (cache_key)"}
	for _, c := range t.columns {
		if c.unique {
			out = append(out, "CREATE UNIQUE INDEX IF NOT EXISTS "+quote(e+"_"+c.name+"_key")+" ON "+t.name+" ("+quote(c.name)+")")
		} else {
			out = append(out, "CREATE INDEX IF NOT EXISTS "+quote(e+"_"+c.name+"_idx")+" ON "+t.name+" ("+quote(c.name)+", id)")
		}
	}
	return out
}

// fieldOfColumn returns the field a constrained column stands for: "id",
// "cache_key" or a unique field.
func (t *tableDef) fieldOfColumn(col string) string {
	for _, c := range t.columns {
		if c.name == col && c.unique {
			return c.field
		}
	}
	return col
}

// quote returns an SQL identifier.
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }
