package admin

import (
	"context"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// foreignEndpoint serves the endpoints one foreign key of child generates:
// /child/{child}/field (the referenced parent) and
// /parent/{parent}/children[/{child}] (the children of one parent).
type foreignEndpoint struct {
	h      *Handler
	child  *schema.Entity
	field  string
	parent *schema.Entity
	// list, when set, replaces the paging of children (targets).
	list func(c *call, parent store.Row, pa pageArgs) error
}

// getParent is GET /child/{child}/field: 404 when the key is null.
func (fe foreignEndpoint) getParent(c *call) error {
	var parent store.Row
	err := c.view(func(ctx context.Context, tx *store.Txn) error {
		row, _, err := lookup(ctx, tx, fe.child, c.params[fe.child.Name])
		if err != nil || row == nil {
			return err
		}
		id := fkID(row, fe.field)
		if id == "" {
			return nil
		}
		parent, err = tx.Get(ctx, fe.parent.Name, id)
		return err
	})
	if err != nil {
		return err
	}
	if parent == nil {
		return errNotFound
	}
	return c.ok(parent)
}

// upsertParent is PUT /child/{child}/field: the referenced entity is
// replaced; when the key is null a new entity is created and linked.
func (fe foreignEndpoint) upsertParent(c *call) error {
	body, err := c.entityBody(fe.parent, nil)
	if err != nil {
		return err
	}
	var out store.Row
	err = c.write(func(ctx context.Context, tx *store.Txn, w writer) error {
		row, ck, err := lookup(ctx, tx, fe.child, c.params[fe.child.Name])
		if err != nil {
			return err
		}
		if row == nil {
			return errNotFound
		}
		id := fkID(row, fe.field)
		associate := id == ""
		if associate {
			id = uuid.NewString()
		}
		if err := c.resolveForeign(ctx, tx, fe.parent, body); err != nil {
			return err
		}
		out, err = w.Upsert(ctx, fe.parent, idKey(id), body)
		if err != nil {
			return err
		}
		if associate {
			_, err = w.Update(ctx, fe.child, row, ck, map[string]any{fe.field: map[string]any{"id": id}})
		}
		return err
	})
	if err != nil {
		return err
	}
	return c.ok(out)
}

// updateParent is PATCH /child/{child}/field.
func (fe foreignEndpoint) updateParent(c *call) error {
	var k entityKey
	err := c.view(func(ctx context.Context, tx *store.Txn) error {
		row, _, err := lookup(ctx, tx, fe.child, c.params[fe.child.Name])
		if err != nil {
			return err
		}
		if row == nil || fkID(row, fe.field) == "" {
			return errNotFound
		}
		k = idKey(fkID(row, fe.field))
		return nil
	})
	if err != nil {
		return err
	}
	return c.update(fe.parent, k, nil)
}

// deleteParent is DELETE /child/{child}/field: never allowed (405) while
// linked, 404 otherwise.
func (fe foreignEndpoint) deleteParent(c *call) error {
	err := c.view(func(ctx context.Context, tx *store.Txn) error {
		row, _, err := lookup(ctx, tx, fe.child, c.params[fe.child.Name])
		if err != nil {
			return err
		}
		if row == nil || fkID(row, fe.field) == "" {
			return errNotFound
		}
		return errMethodNotAllowed
	})
	return err
}

// parentRow looks the path's parent up; nil when missing.
func (fe foreignEndpoint) parentRow(ctx context.Context, c *call, tx *store.Txn) (store.Row, error) {
	row, _, err := lookup(ctx, tx, fe.parent, c.params[fe.parent.Name])
	return row, err
}

// listChildren is GET /parent/{parent}/children: the parent must exist;
// tags are checked but not applied (Kong's Postgres strategy pages by
// foreign key only).
func (fe foreignEndpoint) listChildren(c *call) error {
	var parent store.Row
	err := c.view(func(ctx context.Context, tx *store.Txn) error {
		var err error
		parent, err = fe.parentRow(ctx, c, tx)
		return err
	})
	if err != nil {
		return err
	}
	if parent == nil {
		return errNotFound
	}
	pa, err := c.pageArgs(fe.child)
	if err != nil {
		return err
	}
	if fe.list != nil {
		return fe.list(c, parent, pa)
	}
	q := pa.query
	q.Tags, q.TagsAny = nil, false
	q.ForeignField, q.ForeignID = fe.field, parent["id"].(string)
	var p store.Page
	err = c.view(func(ctx context.Context, tx *store.Txn) error {
		p, err = tx.Page(ctx, fe.child.Name, q)
		return err
	})
	if err != nil {
		return err
	}
	return c.ok(pageBody(p.Rows, p.Offset, fe.nestedNext(c, p.Offset)))
}

// nestedNext is the next link of a nested collection: the parent key as
// given in the request, no size or tags.
func (fe foreignEndpoint) nestedNext(c *call, offset string) string {
	return "/" + fe.parent.APIName() + "/" + c.params[fe.parent.Name] + "/" + fe.child.NestedName() +
		"?offset=" + escapeURI(offset)
}

// createChild is POST /parent/{parent}/children: the foreign key is set
// from the path.
func (fe foreignEndpoint) createChild(c *call) error {
	body, err := c.entityBody(fe.child, nil)
	if err != nil {
		return err
	}
	var row store.Row
	err = c.write(func(ctx context.Context, tx *store.Txn, w writer) error {
		parent, err := fe.parentRow(ctx, c, tx)
		if err != nil {
			return err
		}
		if parent == nil {
			return errNotFound
		}
		body[fe.field] = map[string]any{"id": parent["id"]}
		if err := c.resolveForeign(ctx, tx, fe.child, body); err != nil {
			return err
		}
		row, err = w.Insert(ctx, fe.child, body)
		return err
	})
	if err != nil {
		return err
	}
	c.reply(http.StatusCreated, row)
	return nil
}

// belongs reports whether child references parent through the field.
func (fe foreignEndpoint) belongs(child, parent store.Row) bool {
	return child != nil && parent != nil && strings.EqualFold(fkID(child, fe.field), parent["id"].(string))
}

// getChild is GET /parent/{parent}/children/{child}: 404 unless the child
// belongs to the parent.
func (fe foreignEndpoint) getChild(c *call) error {
	var child store.Row
	err := c.view(func(ctx context.Context, tx *store.Txn) error {
		parent, err := fe.parentRow(ctx, c, tx)
		if err != nil || parent == nil {
			return err
		}
		row, _, err := lookup(ctx, tx, fe.child, c.params[fe.child.Name])
		if err != nil {
			return err
		}
		if fe.belongs(row, parent) {
			child = row
		}
		return nil
	})
	if err != nil {
		return err
	}
	if child == nil {
		return errNotFound
	}
	return c.ok(child)
}

// upsertChild is PUT /parent/{parent}/children/{child}: the foreign key is
// forced to the parent.
func (fe foreignEndpoint) upsertChild(c *call) error {
	body, err := c.entityBody(fe.child, nil)
	if err != nil {
		return err
	}
	var row store.Row
	err = c.write(func(ctx context.Context, tx *store.Txn, w writer) error {
		parent, err := fe.parentRow(ctx, c, tx)
		if err != nil {
			return err
		}
		if parent == nil {
			return errNotFound
		}
		k, err := parseKey(fe.child, c.params[fe.child.Name])
		if err != nil {
			return err
		}
		body[fe.field] = map[string]any{"id": parent["id"]}
		if err := c.resolveForeign(ctx, tx, fe.child, body); err != nil {
			return err
		}
		row, err = w.Upsert(ctx, fe.child, k, body)
		return err
	})
	if err != nil {
		return err
	}
	return c.ok(row)
}

// updateChild is PATCH /parent/{parent}/children/{child}: the child must
// belong to the parent; the body may move it elsewhere.
func (fe foreignEndpoint) updateChild(c *call) error {
	var parent store.Row
	var k entityKey
	err := c.view(func(ctx context.Context, tx *store.Txn) error {
		var err error
		parent, err = fe.parentRow(ctx, c, tx)
		if err != nil {
			return err
		}
		if parent == nil {
			return errNotFound
		}
		var row store.Row
		row, k, err = lookup(ctx, tx, fe.child, c.params[fe.child.Name])
		if err != nil {
			return err
		}
		if !fe.belongs(row, parent) {
			return errNotFound
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, given := c.body[fe.field]; !given {
		c.body[fe.field] = map[string]any{"id": parent["id"]}
	}
	return c.update(fe.child, k, func(stored store.Row) error {
		if !fe.belongs(stored, parent) {
			return errNotFound
		}
		return nil
	})
}

// deleteChild is DELETE /parent/{parent}/children/{child}: 404 when the
// child is missing or belongs elsewhere.
func (fe foreignEndpoint) deleteChild(c *call) error {
	err := c.write(func(ctx context.Context, tx *store.Txn, w writer) error {
		parent, err := fe.parentRow(ctx, c, tx)
		if err != nil {
			return err
		}
		if parent == nil {
			return errNotFound
		}
		row, k, err := lookup(ctx, tx, fe.child, c.params[fe.child.Name])
		if err != nil {
			return err
		}
		if !fe.belongs(row, parent) {
			return errNotFound
		}
		return w.Delete(ctx, fe.child, row, k)
	})
	if err != nil {
		return err
	}
	c.reply(http.StatusNoContent, nil)
	return nil
}
