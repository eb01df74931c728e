package admin

import (
	"context"
	"net/http"

	"github.com/silverback-gw/silverback/internal/store"
)

// consumerRoutes adds GET /consumers?custom_id= (kong/api/routes/consumers.lua):
// an exact lookup answered as a one-page list.
func (h *Handler) consumerRoutes(rr *router) {
	consumers, ok := h.entity("consumers")
	if !ok {
		return
	}
	list := h.listEntities(consumers)
	rr.handle("/consumers", "GET", func(c *call) error {
		vs, given := c.query["custom_id"]
		if !given {
			return list(c)
		}
		if len(vs) != 1 || vs[0] == "" {
			return plainError(http.StatusBadRequest, "custom_id must be an unempty string")
		}
		var row store.Row
		err := c.view(func(ctx context.Context, tx *store.Txn) error {
			var err error
			row, err = tx.GetBy(ctx, "consumers", "custom_id", vs[0])
			return err
		})
		if err != nil {
			return err
		}
		data := []any{}
		if row != nil {
			data = append(data, row)
		}
		return c.ok(map[string]any{"data": data, "next": nil})
	})
}
