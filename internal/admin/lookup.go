package admin

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// parseKey interprets a path segment for e as Kong's endpoints do: a UUID
// addresses the primary key; anything else the endpoint key, its value
// unescaped, type-inferred and validated (code 10 when invalid). Without an
// endpoint key a non-UUID is an invalid primary key (code 1).
func parseKey(e *schema.Entity, raw string) (entityKey, error) {
	key := unescapePath(raw)
	if schema.IsUUID(key) {
		return idKey(strings.ToLower(key)), nil
	}
	if e.EndpointKey == "" {
		return entityKey{}, invalidPrimaryKey()
	}
	f, _ := e.Field(e.EndpointKey)
	v := inferValue(nil, key, f)
	cv, ferr := e.ValidateField(e.EndpointKey, v)
	if ferr != nil {
		return entityKey{}, store.InvalidUniqueField(e.EndpointKey, errorText(ferr))
	}
	return entityKey{field: e.EndpointKey, value: cv}, nil
}

// errorText renders a field error node of package schema as text.
func errorText(node any) string {
	switch x := node.(type) {
	case string:
		return x
	case schema.Errors:
		return strings.Join(x.Messages(), "; ")
	}
	return fmt.Sprint(node)
}

// get returns the entity addressed by k, or nil.
func get(ctx context.Context, tx *store.Txn, e *schema.Entity, k entityKey) (store.Row, error) {
	if k.field == "id" {
		return tx.Get(ctx, e.Name, k.value.(string))
	}
	return tx.GetBy(ctx, e.Name, k.field, k.value)
}

// lookup returns the entity a path segment addresses, or nil.
func lookup(ctx context.Context, tx *store.Txn, e *schema.Entity, raw string) (store.Row, entityKey, error) {
	k, err := parseKey(e, raw)
	if err != nil {
		return nil, k, err
	}
	row, err := get(ctx, tx, e, k)
	return row, k, err
}

// entityBody returns the request body as input for e: form values are
// type-inferred from e's schema (with the subschema stored names, for a
// PATCH of a plugin that does not repeat its name). A ttl option of a TTL
// entity is checked as Kong's DAO options are.
func (c *call) entityBody(e *schema.Entity, stored store.Row) (map[string]any, error) {
	body := copyMap(c.body)
	if c.form {
		body = inferEntity(c.h.catalog, e, body, stored)
	}
	if e.TTL {
		if v, ok := body["ttl"]; ok && v != nil {
			if !validTTL(v) {
				return nil, store.InvalidOptions("ttl", "must be an integer between 0 and 100000000")
			}
		}
	}
	return body, nil
}

func validTTL(v any) bool {
	var f float64
	switch n := v.(type) {
	case int64:
		f = float64(n)
	case float64:
		f = n
	default:
		return false
	}
	return f == math.Floor(f) && f >= 0 && f <= 100000000
}

// resolveForeign replaces foreign keys given by a unique field of the
// referenced entity ({"service": {"name": "x"}}) by their ids, as Kong's
// DAO resolve_foreign; unresolvable ones are code 13.
func (c *call) resolveForeign(ctx context.Context, tx *store.Txn, e *schema.Entity, body map[string]any) error {
	errs := map[string]any{}
	var msgs []string
	for _, f := range e.ForeignKeys() {
		m, ok := body[f.Name()].(map[string]any)
		if !ok || m == nil {
			continue
		}
		if id, ok := m["id"].(string); ok && schema.IsUUID(id) {
			continue
		}
		ref, ok := c.h.catalog.Get(f.Reference())
		if !ok {
			continue
		}
		fieldErrs := map[string]any{}
		for _, uf := range ref.Fields {
			if !uf.IsUnique() && uf.Name() != ref.EndpointKey {
				continue
			}
			uv, given := m[uf.Name()]
			if !given || uv == nil {
				continue
			}
			cv, ferr := ref.ValidateField(uf.Name(), uv)
			if ferr != nil {
				continue
			}
			row, err := tx.GetBy(ctx, ref.Name, uf.Name(), cv)
			if err != nil {
				return err
			}
			if row != nil {
				body[f.Name()] = map[string]any{"id": row["id"]}
				break
			}
			fieldErrs[uf.Name()] = "the foreign key cannot be resolved with '" +
				luaTable(map[string]any{uf.Name(): uv}) + "' for an existing '" + ref.Name + "' entity"
		}
		if len(fieldErrs) > 0 {
			errs[f.Name()] = fieldErrs
			for k, v := range fieldErrs {
				msgs = append(msgs, f.Name()+"."+k+": "+v.(string))
			}
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	sort.Strings(msgs)
	msg := "foreign key unresolved (" + msgs[0] + ")"
	if len(msgs) > 1 {
		msg = fmt.Sprintf("%d foreign keys unresolved (%s)", len(msgs), strings.Join(msgs, "; "))
	}
	return daoError(store.CodeForeignKeysUnresolved, "foreign keys unresolved", msg, errs)
}

// fkID returns the id a row's foreign field references, "" when null.
func fkID(row store.Row, field string) string {
	m, _ := row[field].(map[string]any)
	id, _ := m["id"].(string)
	return id
}
