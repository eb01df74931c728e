package admin

import (
	"context"
	"net/http"

	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// generate registers the endpoints Kong's kong/api/endpoints.lua derives
// from an entity: its collection and entity endpoints, and for each of its
// foreign keys the foreign-entity endpoint, the nested collection under the
// referenced entity and the nested entity endpoint. Path parameters are
// named after table names.
func (h *Handler) generate(rr *router, e *schema.Entity) {
	coll := "/" + e.APIName()
	one := coll + "/{" + e.Name + "}"
	rr.handle(coll, "GET", h.listEntities(e))
	rr.handle(coll, "POST", h.createEntity(e))
	rr.handle(one, "GET", h.getEntity(e))
	rr.handle(one, "PUT", h.upsertEntity(e))
	rr.handle(one, "PATCH", h.updateEntity(e))
	rr.handle(one, "DELETE", h.deleteEntity(e))
	for _, f := range e.ForeignKeys() {
		parent, ok := h.catalog.Get(f.Reference())
		if !ok {
			continue
		}
		fe := foreignEndpoint{h: h, child: e, field: f.Name(), parent: parent}
		up := one + "/" + f.Name()
		rr.handle(up, "GET", fe.getParent)
		rr.handle(up, "PUT", fe.upsertParent)
		rr.handle(up, "PATCH", fe.updateParent)
		rr.handle(up, "DELETE", fe.deleteParent)
		nested := "/" + parent.APIName() + "/{" + parent.Name + "}/" + e.NestedName()
		rr.handle(nested, "GET", fe.listChildren)
		rr.handle(nested, "POST", fe.createChild)
		nestedOne := nested + "/{" + e.Name + "}"
		rr.handle(nestedOne, "GET", fe.getChild)
		rr.handle(nestedOne, "PUT", fe.upsertChild)
		rr.handle(nestedOne, "PATCH", fe.updateChild)
		rr.handle(nestedOne, "DELETE", fe.deleteChild)
	}
}

// listEntities is GET /A: one page of the collection.
func (h *Handler) listEntities(e *schema.Entity) handlerFunc {
	return func(c *call) error {
		pa, err := c.pageArgs(e)
		if err != nil {
			return err
		}
		var p store.Page
		err = c.view(func(ctx context.Context, tx *store.Txn) error {
			p, err = tx.Page(ctx, e.Name, pa.query)
			return err
		})
		if err != nil {
			return err
		}
		return c.ok(pageBody(p.Rows, p.Offset, pa.topNext(e.APIName(), p.Offset)))
	}
}

// createEntity is POST /A: 201 and the new entity.
func (h *Handler) createEntity(e *schema.Entity) handlerFunc {
	return func(c *call) error {
		body, err := c.entityBody(e, nil)
		if err != nil {
			return err
		}
		return c.insert(e, body)
	}
}

// insert resolves the body's foreign keys and inserts it, answering 201.
func (c *call) insert(e *schema.Entity, body map[string]any) error {
	var row store.Row
	err := c.write(func(ctx context.Context, tx *store.Txn, w writer) error {
		if err := c.resolveForeign(ctx, tx, e, body); err != nil {
			return err
		}
		var err error
		row, err = w.Insert(ctx, e, body)
		return err
	})
	if err != nil {
		return err
	}
	c.reply(http.StatusCreated, row)
	return nil
}

// getEntity is GET /A/{S}.
func (h *Handler) getEntity(e *schema.Entity) handlerFunc {
	return func(c *call) error {
		var row store.Row
		err := c.view(func(ctx context.Context, tx *store.Txn) error {
			var err error
			row, _, err = lookup(ctx, tx, e, c.params[e.Name])
			return err
		})
		if err != nil {
			return err
		}
		if row == nil {
			return errNotFound
		}
		return c.ok(row)
	}
}

// upsertEntity is PUT /A/{S}: a full replacement, created when absent, 200.
func (h *Handler) upsertEntity(e *schema.Entity) handlerFunc {
	return func(c *call) error {
		k, err := parseKey(e, c.params[e.Name])
		if err != nil {
			return err
		}
		body, err := c.entityBody(e, nil)
		if err != nil {
			return err
		}
		return c.upsert(e, k, body)
	}
}

// upsert resolves the body's foreign keys and upserts the entity at k,
// answering 200.
func (c *call) upsert(e *schema.Entity, k entityKey, body map[string]any) error {
	var row store.Row
	err := c.write(func(ctx context.Context, tx *store.Txn, w writer) error {
		if err := c.resolveForeign(ctx, tx, e, body); err != nil {
			return err
		}
		var err error
		row, err = w.Upsert(ctx, e, k, body)
		return err
	})
	if err != nil {
		return err
	}
	return c.ok(row)
}

// updateEntity is PATCH /A/{S}: 404 with Kong's code-6 body when absent.
func (h *Handler) updateEntity(e *schema.Entity) handlerFunc {
	return func(c *call) error {
		k, err := parseKey(e, c.params[e.Name])
		if err != nil {
			return err
		}
		return c.update(e, k, nil)
	}
}

// update patches the entity at k with the body. check, when set, vets the
// stored entity first (nested endpoints check its parent).
func (c *call) update(e *schema.Entity, k entityKey, check func(store.Row) error) error {
	var row store.Row
	err := c.write(func(ctx context.Context, tx *store.Txn, w writer) error {
		stored, err := get(ctx, tx, e, k)
		if err != nil {
			return err
		}
		if stored == nil {
			return k.notFound()
		}
		if check != nil {
			if err := check(stored); err != nil {
				return err
			}
		}
		body, err := c.entityBody(e, stored)
		if err != nil {
			return err
		}
		if err := c.resolveForeign(ctx, tx, e, body); err != nil {
			return err
		}
		row, err = w.Update(ctx, e, stored, k, body)
		return err
	})
	if err != nil {
		return err
	}
	return c.ok(row)
}

// deleteEntity is DELETE /A/{S}: 204, also when the entity does not exist.
func (h *Handler) deleteEntity(e *schema.Entity) handlerFunc {
	return func(c *call) error {
		k, err := parseKey(e, c.params[e.Name])
		if err != nil {
			return err
		}
		err = c.write(func(ctx context.Context, tx *store.Txn, w writer) error {
			row, err := get(ctx, tx, e, k)
			if err != nil || row == nil {
				return err
			}
			return w.Delete(ctx, e, row, k)
		})
		if err != nil {
			return err
		}
		c.reply(http.StatusNoContent, nil)
		return nil
	}
}
