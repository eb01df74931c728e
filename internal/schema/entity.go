package schema

// Entity declares one entity: its table, Admin API names, keys and fields.
// The Admin API, the declarative loader and exporter, the stores and the
// /schemas endpoints all derive from it.
type Entity struct {
	// Name is the table and DAO name ("services", "keyauth_credentials").
	Name string
	// AdminName is the Admin API collection name when it differs from Name
	// ("key-auths"); AdminNestedName the name under a parent ("key-auth").
	AdminName       string
	AdminNestedName string
	// NoAdminAPI hides the entity from the generated Admin API.
	NoAdminAPI bool
	// NoExport leaves the entity out of declarative exports.
	NoExport bool
	// EndpointKey is the unique field that can address an entity in paths
	// instead of its id ("name", "username"); "" when only ids address it.
	EndpointKey string
	// CacheKey lists the fields whose combination is unique (Kong's
	// cache_key), e.g. plugins (name, route, service, consumer).
	CacheKey []string
	// Workspaceable entities carry a hidden ws_id.
	Workspaceable bool
	// TTL entities accept a ttl (seconds) and expire.
	TTL bool
	// Fields in declaration order; "id" is the primary key.
	Fields []Field
	// Checks are entity-level validations run after the fields validate.
	Checks []Check
	// Shorthands are input-only fields expanded into real fields before validation.
	Shorthands []Shorthand
	// Normalize adjusts input before validation (Kong's upstream
	// algorithm/hash_on coupling); it may modify in.
	Normalize func(in map[string]any, op Op)
	// Transform rewrites a validated entity into its stored form (targets'
	// host:port normalization, CA certificate digests).
	Transform func(values map[string]any)
	// SubschemaKey names the field that selects a subschema ("name" for plugins).
	SubschemaKey string
	// Subschemas resolves a subschema by the value of SubschemaKey.
	Subschemas SubschemaSource
	// UnknownSubschema is the SubschemaKey field's error when no subschema
	// exists for its value; nil accepts any value.
	UnknownSubschema func(key string) string
}

// Shorthand is an input-only field expanded into other fields (services' url).
type Shorthand struct {
	Field  Field
	Expand func(v any, into map[string]any) error
}

// Subschema replaces fields of an entity (by name) and adds checks; a
// plugin's config schema is a subschema of plugins keyed by plugin name.
type Subschema struct {
	Fields []Field
	Checks []Check
}

// SubschemaSource looks subschemas up by key.
type SubschemaSource interface {
	Subschema(key string) (*Subschema, bool)
}

// APIName returns the Admin API collection name.
func (e *Entity) APIName() string {
	if e.AdminName != "" {
		return e.AdminName
	}
	return e.Name
}

// NestedName returns the collection name used under a parent entity.
func (e *Entity) NestedName() string {
	if e.AdminNestedName != "" {
		return e.AdminNestedName
	}
	return e.APIName()
}

// Field returns the named field.
func (e *Entity) Field(name string) (Field, bool) {
	for _, f := range e.Fields {
		if f.name == name {
			return f, true
		}
	}
	return Field{}, false
}

// ForeignKeys returns the entity's foreign fields in declaration order.
func (e *Entity) ForeignKeys() []Field {
	var out []Field
	for _, f := range e.Fields {
		if f.typ == Foreign {
			out = append(out, f)
		}
	}
	return out
}

// UniqueFields returns the names of the fields with unique values.
func (e *Entity) UniqueFields() []string {
	var out []string
	for _, f := range e.Fields {
		if f.unique {
			out = append(out, f.name)
		}
	}
	return out
}

// HasTags reports whether the entity has a tags field.
func (e *Entity) HasTags() bool {
	_, ok := e.Field("tags")
	return ok
}

// subschema returns the subschema selected by values, if any.
func (e *Entity) subschema(values map[string]any) *Subschema {
	if e.SubschemaKey == "" || e.Subschemas == nil {
		return nil
	}
	key, _ := values[e.SubschemaKey].(string)
	sub, ok := e.Subschemas.Subschema(key)
	if !ok {
		return nil
	}
	return sub
}

// fieldsFor returns the fields that apply to values: the entity's own with
// any selected subschema's fields in place of those of the same name.
func (e *Entity) fieldsFor(values map[string]any) []Field {
	sub := e.subschema(values)
	if sub == nil {
		return e.Fields
	}
	return overlay(e.Fields, sub.Fields)
}

// FieldsFor is the exported form of fieldsFor, for renderers and decoders
// that need a subschema's view (plugins of one name).
func (e *Entity) FieldsFor(values map[string]any) []Field { return e.fieldsFor(values) }

// WithSubschema returns a copy of e whose fields are overlaid with sub's, as
// /schemas/plugins/{name} renders them.
func (e *Entity) WithSubschema(sub *Subschema) *Entity {
	c := *e
	c.Fields = overlay(e.Fields, sub.Fields)
	c.Checks = append(append([]Check(nil), e.Checks...), sub.Checks...)
	c.SubschemaKey, c.Subschemas = "", nil
	return &c
}

func overlay(base, over []Field) []Field {
	out := make([]Field, len(base))
	copy(out, base)
	for _, o := range over {
		for i := range out {
			if out[i].name == o.name {
				out[i] = o
			}
		}
	}
	return out
}

// MergeUpdate prepares a PATCH as Kong does: shorthands and normalization
// apply to the body alone, then the body is merged into the stored entity,
// records field by field and every other value replaced. Validate the result
// with OpUpdate.
func (e *Entity) MergeUpdate(stored, patch map[string]any) (map[string]any, error) {
	in := make(map[string]any, len(patch))
	for k, v := range patch {
		in[k] = v
	}
	errs := Errors{}
	e.applyShorthands(in, errs)
	if len(errs) > 0 {
		return nil, &ValidationError{Fields: errs}
	}
	if e.Normalize != nil {
		e.Normalize(in, OpUpdate)
	}
	return mergeRecord(e.fieldsFor(patchView(stored, in, e.SubschemaKey)), stored, in), nil
}

func patchView(stored, patch map[string]any, key string) map[string]any {
	if key == "" {
		return stored
	}
	if v, ok := patch[key]; ok {
		view := map[string]any{key: v}
		return view
	}
	return stored
}

func mergeRecord(fields []Field, stored, patch map[string]any) map[string]any {
	out := make(map[string]any, len(stored)+len(patch))
	for k, v := range stored {
		out[k] = cloneValue(v)
	}
	for k, v := range patch {
		f, ok := findField(fields, k)
		old, isMap := toMap(out[k])
		nv, newIsMap := toMap(v)
		if ok && f.typ == Record && isMap && newIsMap && old != nil {
			out[k] = mergeRecord(f.fields, old, nv)
			continue
		}
		out[k] = v
	}
	return out
}

func findField(fields []Field, name string) (Field, bool) {
	for _, f := range fields {
		if f.name == name {
			return f, true
		}
	}
	return Field{}, false
}
