package declarative

import (
	"bytes"
	"context"

	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// Export renders the content of db as Kong's export (`kong config
// db_export`, GET /config; kong/db/declarative/export.lua):
// _format_version "3.0" and _transform false (the rows are stored, already
// transformed), then every exportable entity as a top-level list, parents
// first, rows in id order with their fields sorted, nulls kept and foreign
// keys written as the referenced id. Entities marked NoExport and
// transient fields (certificates' snis: SNIs are exported as snis) are
// left out. It reads db in one transaction.
func Export(ctx context.Context, db *store.DB) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(keyFormatVersion + ": \"3.0\"\n" + keyTransform + ": false\n")
	w := yamlWriter{b: &buf}
	err := db.View(ctx, func(t *store.Txn) error {
		for _, e := range db.Catalog().All() {
			if e.NoExport {
				continue
			}
			fields := exportFields(e)
			first := true
			err := t.Each(ctx, e.Name, store.Query{}, func(r store.Row) error {
				if first {
					buf.WriteString(e.Name + ":\n")
					first = false
				}
				w.sequence([]any{exportRow(fields, r)}, 0)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// exportField says how a field is exported.
type exportField int

const (
	exportPlain exportField = iota
	exportOmit              // transient
	exportID                // foreign key: the referenced id
)

func exportFields(e *schema.Entity) map[string]exportField {
	out := make(map[string]exportField, len(e.Fields))
	for _, f := range e.Fields {
		switch {
		case f.IsTransient():
			out[f.Name()] = exportOmit
		case f.Type() == schema.Foreign:
			out[f.Name()] = exportID
		}
	}
	return out
}

// exportRow is a stored row as exported: transient fields dropped, foreign
// keys as plain ids.
func exportRow(fields map[string]exportField, r store.Row) map[string]any {
	out := make(map[string]any, len(r))
	for k, v := range r {
		switch fields[k] {
		case exportOmit:
			continue
		case exportID:
			if ref, ok := v.(map[string]any); ok {
				v = ref["id"]
			}
		}
		out[k] = v
	}
	return out
}
