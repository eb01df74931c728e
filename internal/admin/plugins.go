package admin

// pluginRoutes adds GET /plugins/enabled (kong/api/routes/plugins.lua).
// Plugins PATCH by form needs the stored plugin's name to infer config
// values; entityBody does that for every entity with subschemas.
func (h *Handler) pluginRoutes(rr *router) {
	rr.handle("/plugins/enabled", "GET", func(c *call) error {
		names := []any{}
		if h.opts.Plugins != nil {
			for _, n := range h.opts.Plugins.Names() {
				names = append(names, n)
			}
		}
		return c.ok(map[string]any{"enabled_plugins": names})
	})
}
