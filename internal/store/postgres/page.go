package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/silverback-gw/silverback/internal/store"
)

// Page returns up to q.Size rows after q.Offset in id order, filtered by
// foreign key and by tags (@> for all of them, && for any); it reads one
// row more than asked to know whether to return an offset.
func (t *tx) Page(ctx context.Context, table string, q store.Query) (store.Page, error) {
	td, err := t.b.table(table)
	if err != nil {
		return store.Page{}, err
	}
	size := q.Size
	if size <= 0 {
		size = 100
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.Offset != "" {
		after, err := store.DecodeOffset(q.Offset)
		if err != nil {
			return store.Page{}, err
		}
		if !isUUID(after) {
			return store.Page{}, store.InvalidOffset(q.Offset, "bad uuid")
		}
		where = append(where, "id > "+arg(after))
	}
	if q.ForeignField != "" {
		c, ok := td.byField[q.ForeignField]
		if !ok || c.kind != kindForeign {
			return store.Page{}, fmt.Errorf("postgres: %s has no foreign key %q", table, q.ForeignField)
		}
		if !isUUID(q.ForeignID) {
			return store.Page{Rows: []store.Row{}}, nil
		}
		where = append(where, quoteIdent(c.name)+" = "+arg(q.ForeignID))
	}
	if len(q.Tags) > 0 {
		op := " @> "
		if q.TagsAny {
			op = " && "
		}
		where = append(where, "tags"+op+arg(escapeTags(q.Tags))+"::text[]")
	}
	// Rows are turned into JSON after the limit, not for every row the
	// filter keeps; the limit is a literal so that the plan can use it.
	if live := td.liveSQL(""); live != "" {
		where = append(where, live)
	}
	inner := "SELECT * FROM " + td.name
	if len(where) > 0 {
		inner += " WHERE " + strings.Join(where, " AND ")
	}
	inner += " ORDER BY id LIMIT " + strconv.Itoa(size+1)
	query := "SELECT id::text, to_jsonb(t)::text FROM (" + inner + ") t ORDER BY id"

	rows, err := t.tx.Query(ctx, query, args...)
	if err != nil {
		return store.Page{}, err
	}
	defer rows.Close()
	p := store.Page{Rows: make([]store.Row, 0, min(size, 100))}
	var last string
	var data []byte
	for rows.Next() {
		if len(p.Rows) == size {
			p.Offset = store.EncodeOffset(last)
			break
		}
		if err := rows.Scan(&last, &data); err != nil {
			return store.Page{}, err
		}
		row, err := td.decode(&t.dec, data)
		if err != nil {
			return store.Page{}, err
		}
		p.Rows = append(p.Rows, row)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return store.Page{}, err
	}
	return p, nil
}

// escapeTags returns the tags as stored (see escape).
func escapeTags(tags []string) []string {
	out := make([]string, len(tags))
	for i, s := range tags {
		out[i] = escape(s).(string)
	}
	return out
}
