package entities

import "github.com/silverback-gw/silverback/internal/schema"

// Tags declares Kong's read-only tags view: one row per (entity, tag).
var Tags = &schema.Entity{
	Name:        "tags",
	EndpointKey: "tag",
	NoExport:    true,
	Fields: []schema.Field{
		schema.Tag.Required(),
		schema.Str("entity_name").Required(),
		schema.Str("entity_id").Required().UUID(),
	},
}

// Catalog is the set of entities one node serves: the core entities, the
// plugins entity bound to the node's loaded plugins, and entities that
// plugins add (credentials). All returns them parents first, the order in
// which they are imported, exported and rebuilt.
type Catalog struct {
	all    []*schema.Entity
	byName map[string]*schema.Entity
	byAPI  map[string]*schema.Entity
}

// NewCatalog returns the catalog for a node whose loaded plugins' config
// schemas are pluginSchemas; extra entities (from plugins) come after the
// core ones and must be listed parents first.
func NewCatalog(pluginSchemas schema.SubschemaSource, extra ...*schema.Entity) *Catalog {
	core := []*schema.Entity{
		Certificates, SNIs, CACertificates, Services, Routes, Consumers,
		Upstreams, Targets, newPlugins(pluginSchemas),
	}
	c := &Catalog{byName: map[string]*schema.Entity{}, byAPI: map[string]*schema.Entity{}}
	for _, e := range append(core, extra...) {
		c.all = append(c.all, e)
		c.byName[e.Name] = e
		c.byAPI[e.APIName()] = e
	}
	return c
}

// All returns every stored entity, parents first (tags excluded: a view).
func (c *Catalog) All() []*schema.Entity { return c.all }

// Get returns the entity with the given table name.
func (c *Catalog) Get(name string) (*schema.Entity, bool) {
	e, ok := c.byName[name]
	return e, ok
}

// ByAPIName returns the entity whose Admin API collection is name.
func (c *Catalog) ByAPIName(name string) (*schema.Entity, bool) {
	e, ok := c.byAPI[name]
	return e, ok
}

// Children returns the entities with a foreign key to parent, with the
// name of that field, in catalog order.
func (c *Catalog) Children(parent string) []Reference {
	var out []Reference
	for _, e := range c.all {
		for _, f := range e.ForeignKeys() {
			if f.Reference() == parent {
				out = append(out, Reference{Entity: e, Field: f})
			}
		}
	}
	return out
}

// Reference is a foreign field of an entity.
type Reference struct {
	Entity *schema.Entity
	Field  schema.Field
}
