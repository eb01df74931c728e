package sqlite

import (
	"context"
	"fmt"
	"slices"

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
	var args []any
	if q.Offset != "" {
		after, err := store.DecodeOffset(q.Offset)
		if err != nil {
			return store.Page{}, err
		}
		args = append(args, after)
	}
	fkCol := ""
	if q.ForeignField != "" {
		var ok bool
		if fkCol, ok = td.byForeign[q.ForeignField]; !ok {
			return store.Page{}, fmt.Errorf("sqlite: %s has no foreign key %q", table, q.ForeignField)
		}
		args = append(args, q.ForeignID)
	}
	tags := uniqueTags(q.Tags)
	for _, tag := range tags {
		args = append(args, tag)
	}
	query := td.pageSQL(q.Offset != "", fkCol, len(tags), q.TagsAny)
	args = append(args, size+1)

	rows, err := t.query(ctx, query, args...)
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
		if row, ok := decodeTTL(row); ok {
			p.Rows = append(p.Rows, row)
		}
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
