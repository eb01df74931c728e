package admin

import (
	"context"

	"github.com/google/uuid"

	"github.com/silverback-gw/silverback/internal/store"
)

// aclRoutes lets /consumers/{consumers}/acls/{acls} name an acl by its
// group (kong/plugins/acl/api.lua): a segment that is not a UUID is the
// group of one of the consumer's acls. PUT with an unknown group creates
// it, taking the group from the path when the body has none; other
// methods answer 404.
func (h *Handler) aclRoutes(rr *router) {
	acls, ok := h.entity("acls")
	if !ok {
		return
	}
	consumers, ok := h.entity("consumers")
	if !ok {
		return
	}
	rt, ok := rr.byPattern["/consumers/{consumers}/acls/{acls}"]
	if !ok {
		return
	}
	for method, next := range rt.methods {
		rt.methods[method] = func(c *call) error {
			group := c.params[acls.Name]
			if uuid.Validate(group) == nil && len(group) == 36 {
				return next(c)
			}
			var id string
			err := c.view(func(ctx context.Context, tx *store.Txn) error {
				consumer, _, err := lookup(ctx, tx, consumers, c.params[consumers.Name])
				if err != nil || consumer == nil {
					return err
				}
				return tx.Each(ctx, acls.Name, store.Query{ForeignField: "consumer", ForeignID: consumer["id"].(string)}, func(r store.Row) error {
					if r["group"] == group {
						id, _ = r["id"].(string)
					}
					return nil
				})
			})
			if err != nil {
				return err
			}
			if id == "" {
				if method != "PUT" {
					return errNotFound
				}
				id = uuid.NewString()
				if c.body == nil {
					c.body = map[string]any{}
				}
				if _, given := c.body["group"]; !given {
					c.body["group"] = group
				}
			}
			c.params[acls.Name] = id
			return next(c)
		}
	}
}
