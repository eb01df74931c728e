package admin

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// certificateRoutes adds Kong's certificates customizations
// (kong/api/routes/certificates.lua, snis.lua): a certificate may be
// addressed by one of its SNI names, GET of a missing certificate answers
// the code-6 body, PUT and PATCH adjust the snis list, and
// /snis/{snis}/certificate is disabled.
func (h *Handler) certificateRoutes(rr *router) {
	certs, ok := h.entity("certificates")
	if !ok {
		return
	}
	if _, ok := h.entity("snis"); ok {
		rr.disable("/snis/{snis}/certificate")
	}
	one := "/certificates/{certificates}"
	for _, pattern := range []string{one, one + "/snis", one + "/snis/{snis}"} {
		rt := rr.route(pattern)
		for m, fn := range rt.methods {
			rt.methods[m] = h.bySNI(fn)
		}
	}
	get := func(c *call) error {
		id := c.params["certificates"]
		var row store.Row
		err := c.view(func(ctx context.Context, tx *store.Txn) error {
			var err error
			row, _, err = lookup(ctx, tx, certs, id)
			return err
		})
		if err != nil {
			return err
		}
		if row == nil {
			return store.NotFoundByPK(unescapePath(id))
		}
		return c.ok(row)
	}
	rr.handle(one, "GET", h.bySNI(get))
	rr.handle(one, "PUT", h.bySNI(withSNIList(h.upsertEntity(certs))))
	rr.handle(one, "PATCH", h.bySNI(withSNIList(h.updateEntity(certs))))
}

// bySNI resolves a {certificates} path segment that is not a UUID as the
// name of an SNI: its certificate's id replaces it. An unknown name is
// 404 "SNI not found", except for PUT which creates a certificate with a
// new id (the name is added to its snis by withSNIList).
func (h *Handler) bySNI(next handlerFunc) handlerFunc {
	return func(c *call) error {
		raw := c.param("certificates")
		if schema.IsUUID(raw) {
			return next(c)
		}
		snis, ok := h.entity("snis")
		if !ok {
			return next(c)
		}
		var sni store.Row
		var k entityKey
		err := c.view(func(ctx context.Context, tx *store.Txn) error {
			var err error
			sni, k, err = lookup(ctx, tx, snis, c.params["certificates"])
			return err
		})
		if err != nil {
			return err
		}
		c.sniName, _ = k.value.(string)
		switch {
		case sni != nil:
			c.params["certificates"] = fkID(sni, "certificate")
		case c.method == http.MethodPut:
			c.params["certificates"] = uuid.NewString()
		default:
			return plainError(http.StatusNotFound, "SNI not found")
		}
		return next(c)
	}
}

// withSNIList adjusts the snis of a PUT or PATCH body as Kong's
// prepare_args: a single name becomes a list, the SNI named in the path is
// added on PUT, and a PUT without snis removes them all.
func withSNIList(next handlerFunc) handlerFunc {
	return func(c *call) error {
		name := c.sniName
		put := c.method == http.MethodPut
		switch v := c.body["snis"].(type) {
		case []any:
			if name != "" && put && !containsString(v, name) {
				c.body["snis"] = append(v, name)
			}
		case string:
			if name != "" && put && name != v {
				c.body["snis"] = []any{v, name}
			} else {
				c.body["snis"] = []any{v}
			}
		}
		if _, given := c.body["snis"]; !given && put {
			c.body["snis"] = nil
		}
		return next(c)
	}
}

func containsString(list []any, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
