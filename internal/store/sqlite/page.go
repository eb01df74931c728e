package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/internal/rowjson"
)

// Page returns up to q.Size rows after q.Offset in id order, filtered by
// foreign key (through its (fk, id) index) and tags (json_each); it reads
// one row more than asked to know whether to return an offset.
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
	if q.Offset != "" {
		after, err := store.DecodeOffset(q.Offset)
		if err != nil {
			return store.Page{}, err
		}
		where, args = append(where, "id>?"), append(args, after)
	}
	if q.ForeignField != "" {
		col, ok := td.byForeign[q.ForeignField]
		if !ok {
			return store.Page{}, fmt.Errorf("sqlite: %s has no foreign key %q", table, q.ForeignField)
		}
		where, args = append(where, quote(col)+"=?"), append(args, q.ForeignID)
	}
	if tags := uniqueTags(q.Tags); len(tags) > 0 {
		in := "value IN (" + strings.TrimSuffix(strings.Repeat("?,", len(tags)), ",") + ")"
		if q.TagsAny {
			where = append(where, "EXISTS (SELECT 1 FROM json_each(tags) WHERE "+in+")")
		} else {
			where = append(where, fmt.Sprintf("(SELECT count(*) FROM json_each(tags) WHERE %s)=%d", in, len(tags)))
		}
		for _, tag := range tags {
			args = append(args, tag)
		}
	}
	query := "SELECT id, data FROM " + td.name
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY id LIMIT ?"
	args = append(args, size+1)

	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return store.Page{}, err
	}
	defer rows.Close()
	p := store.Page{Rows: make([]store.Row, 0, min(size, 100))}
	var last string
	var dec rowjson.Decoder
	for rows.Next() {
		if len(p.Rows) == size {
			p.Offset = store.EncodeOffset(last)
			break
		}
		var data []byte
		if err := rows.Scan(&last, &data); err != nil {
			return store.Page{}, err
		}
		row, err := dec.DecodeObject(data)
		if err != nil {
			return store.Page{}, fmt.Errorf("sqlite: decode %s %s: %w", table, last, err)
		}
		p.Rows = append(p.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return store.Page{}, err
	}
	return p, nil
}

// uniqueTags drops repeated tags, so that counting matches works for AND.
func uniqueTags(tags []string) []string {
	if len(tags) < 2 {
		return tags
	}
	out := slices.Clone(tags)
	slices.Sort(out)
	return slices.Compact(out)
}
