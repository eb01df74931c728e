package memory

import (
	"context"
	"fmt"

	"github.com/silverback-gw/silverback/internal/store"
)

// Page returns up to q.Size rows after q.Offset in id order, walking the
// foreign-key index when q names a foreign field and keeping the rows that
// match q's tags. The offset is set only when a further matching row exists.
func (t *tx) Page(_ context.Context, table string, q store.Query) (store.Page, error) {
	tb, err := t.b.table(table)
	if err != nil {
		return store.Page{}, err
	}
	after := ""
	if q.Offset != "" {
		if after, err = store.DecodeOffset(q.Offset); err != nil {
			return store.Page{}, err
		}
	}
	ids := &tb.ids
	if q.ForeignField != "" {
		c, ok := tb.foreign[q.ForeignField]
		if !ok {
			return store.Page{}, fmt.Errorf("%s has no foreign key %q", table, q.ForeignField)
		}
		if ids = c.of(q.ForeignID); ids == nil {
			return store.Page{Rows: []store.Row{}}, nil
		}
	}
	size := q.Size
	if size <= 0 {
		size = 100
	}
	p := store.Page{Rows: make([]store.Row, 0, min(size, ids.Len()))}
	last := ""
	for id := range ids.After(after) {
		row, ok := t.read(tb, tb.rows[id])
		if !ok || !q.HasTags(row) {
			continue
		}
		if len(p.Rows) == size {
			p.Offset = store.EncodeOffset(last)
			break
		}
		p.Rows = append(p.Rows, row)
		last = id
	}
	return p, nil
}
