package admin

import (
	"context"
	"errors"

	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// entityKey is how a path addresses an entity: by "id" or by the value of
// the entity's endpoint key.
type entityKey struct {
	field string
	value any
}

func idKey(id string) entityKey { return entityKey{field: "id", value: id} }

// byField is the field named in DB-less messages: "" for ids.
func (k entityKey) byField() string {
	if k.field == "id" {
		return ""
	}
	return k.field
}

// notFound is Kong's code-6 error for a missing entity addressed by k.
func (k entityKey) notFound() error {
	if k.field == "id" {
		id, _ := k.value.(string)
		return store.NotFoundByPK(id)
	}
	return store.NotFound(map[string]any{k.field: k.value})
}

// writer performs the DAO writes of the generated endpoints. In DB mode it
// writes; in DB-less mode it validates like Kong's DAO and then refuses
// with code 12, so clients see the same validation errors first.
type writer interface {
	Insert(ctx context.Context, e *schema.Entity, body map[string]any) (store.Row, error)
	// Upsert replaces (or creates) the entity addressed by k.
	Upsert(ctx context.Context, e *schema.Entity, k entityKey, body map[string]any) (store.Row, error)
	// Update patches row, the stored entity addressed by k.
	Update(ctx context.Context, e *schema.Entity, row store.Row, k entityKey, patch map[string]any) (store.Row, error)
	// Delete removes row, the stored entity addressed by k.
	Delete(ctx context.Context, e *schema.Entity, row store.Row, k entityKey) error
}

type dbWriter struct{ tx *store.Txn }

func (w dbWriter) Insert(ctx context.Context, e *schema.Entity, body map[string]any) (store.Row, error) {
	return w.tx.Insert(ctx, e.Name, body)
}

func (w dbWriter) Upsert(ctx context.Context, e *schema.Entity, k entityKey, body map[string]any) (store.Row, error) {
	if k.field == "id" {
		return w.tx.Upsert(ctx, e.Name, k.value.(string), body)
	}
	return w.tx.UpsertBy(ctx, e.Name, k.field, k.value, body)
}

func (w dbWriter) Update(ctx context.Context, e *schema.Entity, row store.Row, k entityKey, patch map[string]any) (store.Row, error) {
	out, err := w.tx.Update(ctx, e.Name, row["id"].(string), patch)
	if err == nil && out == nil {
		return nil, k.notFound()
	}
	return out, err
}

func (w dbWriter) Delete(ctx context.Context, e *schema.Entity, row store.Row, _ entityKey) error {
	_, err := w.tx.Delete(ctx, e.Name, row["id"].(string))
	return err
}

// dblessWriter is Kong's DAO over the "off" strategy: validation runs, the
// strategy then refuses the write.
type dblessWriter struct{ tx *store.Txn }

func (w dblessWriter) Insert(_ context.Context, e *schema.Entity, body map[string]any) (store.Row, error) {
	if _, err := e.Validate(body, schema.OpInsert); err != nil {
		return nil, validationError(err)
	}
	return nil, operationUnsupported("create", e.Name, "")
}

func (w dblessWriter) Upsert(_ context.Context, e *schema.Entity, k entityKey, body map[string]any) (store.Row, error) {
	in := copyMap(body)
	in[k.field] = k.value
	if _, err := e.Validate(in, schema.OpUpsert); err != nil {
		return nil, validationError(err)
	}
	return nil, operationUnsupported("create or update", e.Name, k.byField())
}

func (w dblessWriter) Update(_ context.Context, e *schema.Entity, row store.Row, k entityKey, patch map[string]any) (store.Row, error) {
	merged, err := e.MergeUpdate(row, patch)
	if err == nil {
		merged["id"] = row["id"]
		_, err = e.Validate(merged, schema.OpUpdate)
	}
	if err != nil {
		return nil, validationError(err)
	}
	return nil, operationUnsupported("update", e.Name, k.byField())
}

func (w dblessWriter) Delete(_ context.Context, e *schema.Entity, _ store.Row, k entityKey) error {
	return operationUnsupported("remove", e.Name, k.byField())
}

// validationError wraps a schema validation error as Kong's code 2.
func validationError(err error) error {
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		return store.SchemaViolation(ve)
	}
	return err
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}
