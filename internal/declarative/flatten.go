package declarative

import (
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/schema"
)

// The format's own top-level keys (kong/db/schema/others/declarative_config.lua).
const (
	keyFormatVersion = "_format_version"
	keyTransform     = "_transform"
	keyComment       = "_comment"
	keyIgnore        = "_ignore"
)

var formatVersions = []string{"1.1", "2.1", "3.0"}

// nest is an array of child entities allowed inside a parent object: the
// child table's name is the key, fk the child's field referencing the parent.
type nest struct {
	child *schema.Entity
	fk    string
}

// item is one entity object of the document.
type item struct {
	e      *schema.Entity
	raw    map[string]any // as written; never modified
	parent *item          // the object it is nested in, nil at top level
	fk     string         // its field referencing parent
	idx    int            // 1-based position in its array
	// id is the given, deterministic or random id; known reports a given
	// or deterministic one, which nested children may build keys from.
	id    string
	known bool
	refs  []reference // foreign values to find among the declared entities
	validated
}

// node returns the item's table in the error tree root, creating the path.
func (it *item) node(root *node) *node {
	parent := root
	if it.parent != nil {
		parent = it.parent.node(root)
	}
	return parent.sub(it.e.Name).at(it.idx)
}

// parser flattens one document. Its phases follow Kong's flatten: schema
// validation, then references and primary/endpoint key uniqueness, then
// unique fields; each phase reports its errors only when it fails.
type parser struct {
	catalog *entities.Catalog
	nests   map[string][]nest
	// foreignKeys are each entity's foreign key fields.
	foreignKeys map[string][]schema.Field
	entity      map[string]*schema.Entity // the catalog's entities, Transform removed when _transform is false
	ns          map[string]uuid.UUID
	items       []*item
	byEntity    map[string][]*item
	byID        map[string]map[string]*item
	byKey       map[string]map[string]*item

	root    *node // schema errors
	invalid bool  // root holds schema errors
	// Kong validates twice: with foreign keys as names (nested ones must
	// be null) and, when that fails, with references resolved. These are
	// the errors only the second pass (unresolved) or only the first
	// (nested foreign keys, foreign keys written as objects) sees.
	unresolved   []fieldRef
	nullForeign  []fieldRef
	foreignTable bool
}

type fieldRef struct {
	it    *item
	field string
}

func newParser(c *entities.Catalog) *parser {
	p := &parser{
		catalog:     c,
		nests:       nestings(c),
		foreignKeys: map[string][]schema.Field{},
		entity:      map[string]*schema.Entity{},
		ns:          map[string]uuid.UUID{},
		byEntity:    map[string][]*item{},
		byID:        map[string]map[string]*item{},
		byKey:       map[string]map[string]*item{},
		root:        newNode(),
	}
	for _, e := range c.All() {
		p.entity[e.Name] = e
		p.foreignKeys[e.Name] = e.ForeignKeys()
	}
	return p
}

// nestings derives the nested arrays from the catalog's foreign keys: a
// child entity may be nested in its parent under the child's table name,
// unless the parent has a (non-transient) field of that name.
func nestings(c *entities.Catalog) map[string][]nest {
	out := map[string][]nest{}
	for _, parent := range c.All() {
		for _, ref := range c.Children(parent.Name) {
			name := ref.Entity.Name
			if f, ok := parent.Field(name); ok && !f.IsTransient() {
				continue
			}
			if nestOf(out[parent.Name], name) != nil {
				continue
			}
			out[parent.Name] = append(out[parent.Name], nest{child: ref.Entity, fk: ref.Field.Name()})
		}
	}
	return out
}

func nestOf(nests []nest, name string) *nest {
	for i := range nests {
		if nests[i].child.Name == name {
			return &nests[i]
		}
	}
	return nil
}

func (p *parser) run(doc map[string]any) (*Config, error) {
	version, transform := p.checkTop(doc)
	if !transform {
		for name, e := range p.entity {
			plain := *e
			plain.Transform = nil
			p.entity[name] = &plain
		}
	}
	if version == "1.1" || version == "2.1" {
		doc = migrate(doc)
	}
	for _, e := range p.catalog.All() {
		if v, ok := doc[e.Name]; ok {
			p.walk(p.entity[e.Name], v, nil, "")
		}
	}
	p.index()
	p.validateAll()
	if err := p.schemaError(doc); err != nil {
		return nil, err
	}
	if t := p.checkReferences(); !t.empty() {
		return nil, p.fail(t, doc)
	}
	if t := p.checkUnique(); !t.empty() {
		return nil, p.fail(t, doc)
	}
	cfg := &Config{Entities: map[string][]map[string]any{}, FormatVersion: version, Transform: transform}
	for _, it := range p.items {
		cfg.Entities[it.e.Name] = append(cfg.Entities[it.e.Name], it.row)
	}
	return cfg, nil
}

func (p *parser) fail(t *node, doc map[string]any) *Error {
	return &Error{tree: t, doc: doc, catalog: p.catalog}
}

// checkTop validates the format's own keys and rejects unknown ones; it
// returns the format version ("" when invalid) and _transform.
func (p *parser) checkTop(doc map[string]any) (version string, transform bool) {
	transform = true
	for k, v := range doc {
		switch k {
		case keyFormatVersion:
			s, ok := v.(string)
			switch {
			case v == nil:
			case !ok:
				p.rootError(k, "expected a string")
			case !slices.Contains(formatVersions, s):
				p.rootError(k, "expected one of: "+strings.Join(formatVersions, ", "))
			default:
				version = s
			}
		case keyTransform:
			b, ok := v.(bool)
			switch {
			case v == nil:
			case !ok:
				p.rootError(k, "expected a boolean")
			default:
				transform = b
			}
		case keyComment, keyIgnore:
			if msg := extraAttributeError(k, v); msg != "" {
				p.rootError(k, msg)
			}
		default:
			if _, ok := p.entity[k]; !ok {
				p.rootError(k, "unknown field")
			}
		}
	}
	if doc[keyFormatVersion] == nil {
		p.rootError(keyFormatVersion, "required field missing")
	}
	return version, transform
}

func (p *parser) rootError(key, msg string) {
	p.root.set(key, msg)
	p.invalid = true
}

// extraAttributeError checks _comment (a string) and _ignore (an array),
// allowed at the top level and in every entity object.
func extraAttributeError(key string, v any) string {
	if v == nil {
		return ""
	}
	if key == keyComment {
		if _, ok := v.(string); !ok {
			return "expected a string"
		}
		return ""
	}
	if _, ok := asList(v); !ok {
		return "expected an array"
	}
	return ""
}

// walk collects the entity objects of one array (top-level or nested in
// parent) and, depth first, their nested children. Ids are assigned on
// the way, parents before children, as children's keys use them.
func (p *parser) walk(e *schema.Entity, v any, parent *item, fk string) {
	if v == nil {
		return
	}
	// container is the error table holding this array's errors, created
	// only for an error.
	container := func() *node {
		if parent == nil {
			return p.root
		}
		return parent.node(p.root)
	}
	list, ok := asList(v)
	if !ok {
		container().set(e.Name, "expected an array")
		p.invalid = true
		return
	}
	for i, elem := range list {
		obj, ok := elem.(map[string]any)
		if !ok {
			msg := "expected a record"
			if elem == nil {
				msg = "required field missing"
			}
			container().sub(e.Name).setPos(i+1, msg)
			p.invalid = true
			continue
		}
		it := &item{e: e, raw: obj, parent: parent, fk: fk, idx: i + 1}
		p.items = append(p.items, it)
		p.byEntity[e.Name] = append(p.byEntity[e.Name], it)
		p.assignID(it)
		for _, n := range p.nests[e.Name] {
			if cv, ok := obj[n.child.Name]; ok {
				p.walk(p.entity[n.child.Name], cv, it, n.fk)
			}
		}
	}
}

// index lets references find declared entities by id and by the value of
// a unique endpoint key (the first declaration wins).
func (p *parser) index() {
	for _, it := range p.items {
		name := it.e.Name
		size := len(p.byEntity[name])
		if it.id != "" {
			addIndex(p.byID, name, it.id, it, size)
		}
		if key, ok := it.raw[it.e.EndpointKey].(string); ok && uniqueEndpointKey(it.e) {
			addIndex(p.byKey, name, key, it, size)
		}
	}
}

func addIndex(idx map[string]map[string]*item, entity, key string, it *item, size int) {
	m := idx[entity]
	if m == nil {
		m = make(map[string]*item, size)
		idx[entity] = m
	}
	if _, dup := m[key]; !dup {
		m[key] = it
	}
}

// find returns the declared entity of the table whose endpoint key or id
// is key, as Kong's find_entity.
func (p *parser) find(entity, key string) *item {
	if it, ok := p.byKey[entity][key]; ok {
		return it
	}
	return p.byID[entity][key]
}

func uniqueEndpointKey(e *schema.Entity) bool {
	if e.EndpointKey == "" {
		return false
	}
	f, ok := e.Field(e.EndpointKey)
	return ok && f.IsUnique()
}

// asList accepts an array; an empty object is an empty array, as an
// empty Lua table is both.
func asList(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case map[string]any:
		if len(x) == 0 {
			return nil, true
		}
	}
	return nil, false
}
