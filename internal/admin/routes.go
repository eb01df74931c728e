package admin

import "github.com/silverback-gw/silverback/internal/schema"

// buildRoutes assembles the route table as kong/api/init.lua does: node
// endpoints, the endpoints generated from every entity of the catalog, then
// the custom endpoints that replace or disable generated ones.
func (h *Handler) buildRoutes() *router {
	rr := newRouter()
	h.infoRoutes(rr)
	h.schemaRoutes(rr)
	h.configRoutes(rr)
	for _, e := range h.catalog.All() {
		if !e.NoAdminAPI {
			h.generate(rr, e)
		}
	}
	h.tagRoutes(rr)
	h.certificateRoutes(rr)
	h.consumerRoutes(rr)
	h.aclRoutes(rr)
	h.pluginRoutes(rr)
	h.targetRoutes(rr)
	return rr
}

// entity returns a catalog entity the custom endpoints need; ok is false
// when the catalog does not serve it.
func (h *Handler) entity(name string) (*schema.Entity, bool) {
	e, ok := h.catalog.Get(name)
	if !ok || e.NoAdminAPI {
		return nil, false
	}
	return e, true
}
