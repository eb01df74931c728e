package admin

import (
	"net/http"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/schema"
)

// schemaRoutes registers /schemas/* and the deprecated /plugins/schema/{name}
// (kong/api/routes/kong.lua and plugins.lua).
func (h *Handler) schemaRoutes(rr *router) {
	rr.handle("/schemas/{name}", "GET", h.entitySchema)
	rr.handle("/schemas/{db_entity_name}/validate", "POST", h.validateEntity)
	rr.handle("/schemas/plugins/{name}", "GET", h.pluginSchema)
	rr.handle("/schemas/plugins/validate", "POST", func(c *call) error {
		return h.validate(c, "plugins")
	})
	rr.handle("/plugins/schema/{name}", "GET", h.pluginConfigSchema)
}

// schemaEntity returns any entity with a schema by DAO name, including
// those without Admin API endpoints and the tags view.
func (h *Handler) schemaEntity(name string) (*schema.Entity, bool) {
	if name == entities.Tags.Name {
		return entities.Tags, true
	}
	return h.catalog.Get(name)
}

func (h *Handler) entitySchema(c *call) error {
	name := c.param("name")
	e, ok := h.schemaEntity(name)
	if !ok {
		return plainError(http.StatusNotFound, "No entity named '"+name+"'")
	}
	return c.ok(e.JSON())
}

func (h *Handler) validateEntity(c *call) error {
	return h.validate(c, c.param("db_entity_name"))
}

// validate checks the request's parameters as an insert of the entity:
// 200 when valid, Kong's code-2 body otherwise. Form values are not
// inferred from the schema, only "", "true" and "false" (Kong's decode_args).
func (h *Handler) validate(c *call, name string) error {
	e, ok := h.schemaEntity(name)
	if !ok {
		return plainError(http.StatusNotFound, "No entity named '"+name+"'")
	}
	params := c.allParams()
	if c.ctype == "application/x-www-form-urlencoded" {
		params = decodeArgs(params).(map[string]any)
	}
	if _, err := e.Validate(params, schema.OpInsert); err != nil {
		return validationError(err)
	}
	return c.ok(message("schema validation successful"))
}

// decodeArgs converts form strings as Kong's kong.tools.http.decode_args:
// "" is null, "true" and "false" are booleans.
func decodeArgs(v any) any {
	switch x := v.(type) {
	case string:
		switch x {
		case "":
			return nil
		case "true":
			return true
		case "false":
			return false
		}
	case map[string]any:
		for k, e := range x {
			x[k] = decodeArgs(e)
		}
	case []any:
		for i, e := range x {
			x[i] = decodeArgs(e)
		}
	}
	return v
}

func (h *Handler) pluginSubschema(name string) (*schema.Subschema, bool) {
	if h.opts.Plugins == nil {
		return nil, false
	}
	return h.opts.Plugins.Subschema(name)
}

// pluginSchema is GET /schemas/plugins/{name}: the plugin's own fields.
func (h *Handler) pluginSchema(c *call) error {
	name := c.param("name")
	sub, ok := h.pluginSubschema(name)
	if !ok {
		return plainError(http.StatusNotFound, "No plugin named '"+name+"'")
	}
	return c.ok(schema.SubschemaJSON(sub))
}

// pluginConfigSchema is the deprecated GET /plugins/schema/{name}: the
// plugin's config record as a schema.
func (h *Handler) pluginConfigSchema(c *call) error {
	name := c.param("name")
	sub, ok := h.pluginSubschema(name)
	if !ok {
		return plainError(http.StatusNotFound, "No plugin named '"+name+"'")
	}
	var fields []schema.Field
	for _, f := range sub.Fields {
		if f.Name() == "config" {
			fields = f.Fields()
		}
	}
	return c.ok(map[string]any{"fields": schema.FieldsJSON(fields), "entity_checks": []any{}})
}
