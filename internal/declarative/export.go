package declarative

import (
	"bytes"
	"context"
	"fmt"

	"gopkg.in/yaml.v3"

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
	doc := &yaml.Node{Kind: yaml.MappingNode}
	doc.Content = append(doc.Content,
		scalarNode(keyFormatVersion), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "3.0", Style: yaml.DoubleQuotedStyle},
		scalarNode(keyTransform), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "false"})
	err := db.View(ctx, func(t *store.Txn) error {
		for _, e := range db.Catalog().All() {
			if e.NoExport {
				continue
			}
			list := &yaml.Node{Kind: yaml.SequenceNode}
			fields := exportFields(e)
			err := t.Each(ctx, e.Name, store.Query{}, func(r store.Row) error {
				n := &yaml.Node{}
				if err := n.Encode(exportRow(fields, r)); err != nil {
					return fmt.Errorf("export %s %v: %w", e.Name, r["id"], err)
				}
				list.Content = append(list.Content, n)
				return nil
			})
			if err != nil {
				return err
			}
			if len(list.Content) > 0 {
				doc.Content = append(doc.Content, scalarNode(e.Name), list)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return buf.Bytes(), nil
}

func scalarNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
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
