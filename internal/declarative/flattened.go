package declarative

import (
	"strconv"
	"strings"

	"github.com/silverback-gw/silverback/internal/schema"
)

// FlattenedError is one item of Kong's flattened_errors (POST
// /config?flatten_errors=1, kong/db/errors.lua declarative_config_flattened):
// the errors of one entity of the document.
type FlattenedError struct {
	// EntityType is the singular entity name ("service", "route").
	EntityType string `json:"entity_type"`
	// EntityID, EntityName and EntityTags are the entity's id (when a
	// valid UUID), name and tags as written, left out when absent.
	EntityID   string   `json:"entity_id,omitempty"`
	EntityName string   `json:"entity_name,omitempty"`
	EntityTags []string `json:"entity_tags,omitempty"`
	// Entity is the object as written without its nested entities; a
	// nested entity carries its parent's {"id": …} when the parent has one.
	Entity map[string]any `json:"entity"`
	// Errors are its field and entity errors.
	Errors []EntityError `json:"errors"`
}

// EntityError is one error of a FlattenedError: a field error (Field is
// the dotted path, "config.http_endpoint", "paths.1") or an entity error.
type EntityError struct {
	Type    string `json:"type"` // "field" or "entity"
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// FlattenedErrors returns Kong's flattened_errors: one item per entity
// with errors, nested entities hoisted to their own items.
func (e *Error) FlattenedErrors() []FlattenedError {
	items, _ := e.Flatten()
	return items
}

// Flatten returns the flattened errors and the error left once they are
// taken out of the tree, which is what Kong answers in "message" and
// "fields" along with flattened_errors: top-level errors such as an
// unknown key stay. Kong drops the entries it cannot correlate with an
// entity of the document (references and unique values, listed by name or
// id); they stay in the remaining tree here.
func (e *Error) Flatten() ([]FlattenedError, *Error) {
	f := &flattener{e: e, out: []FlattenedError{}}
	rest := newNode()
	for _, k := range e.tree.namedKeys() {
		v := e.tree.named[k]
		section, isNode := v.(*node)
		list, isList := e.doc[k].([]any)
		if !isNode || !isList {
			rest.set(k, v)
			continue
		}
		left := newNode()
		for _, i := range section.posKeys() {
			if obj, ok := listItem(list, i); ok {
				f.entity(k, obj, section.pos[i])
			} else {
				left.setPos(i, section.pos[i])
			}
		}
		for _, name := range section.namedKeys() {
			left.set(name, section.named[name])
		}
		if !left.empty() {
			rest.set(k, left)
		}
	}
	return f.out, &Error{tree: rest, doc: e.doc, catalog: e.catalog}
}

func listItem(list []any, i int) (map[string]any, bool) {
	if i < 1 || i > len(list) {
		return nil, false
	}
	m, ok := list[i-1].(map[string]any)
	return m, ok
}

type flattener struct {
	e   *Error
	out []FlattenedError
}

// entity adds the errors errV of the entity obj of table typ, after
// hoisting the errors of the entities related to it: an object written
// for one of its foreign keys, and its nested entities.
func (f *flattener) entity(typ string, obj map[string]any, errV any) {
	var errs *node
	switch x := errV.(type) {
	case string:
		errs = newNode()
		errs.set(schema.EntityKey, x)
	case *node:
		errs = x.clone()
	}
	if errs == nil || errs.empty() {
		return
	}
	ent := copyMap(obj)
	pk := primaryKey(obj)
	if e, ok := f.e.catalog.Get(typ); ok {
		for _, fk := range e.ForeignKeys() {
			name := fk.Name()
			val, isObj := ent[name].(map[string]any)
			if !isObj {
				continue
			}
			if p := primaryKey(val); p != nil {
				ent[name] = p
			} else {
				delete(ent, name)
			}
			sub := errs.named[name]
			delete(errs.named, name)
			f.entity(fk.Reference(), val, sub)
		}
		for _, ref := range f.e.catalog.Children(typ) {
			name := ref.Entity.Name
			children, present := ent[name]
			if _, isObj := children.(map[string]any); !present || (!isObj && !isArray(children)) {
				continue
			}
			delete(ent, name)
			sub, _ := errs.named[name].(*node)
			delete(errs.named, name)
			list, _ := children.([]any)
			for i, c := range list {
				child, ok := c.(map[string]any)
				if !ok || sub == nil {
					continue
				}
				child = copyMap(child)
				if _, set := child[ref.Field.Name()]; !set && pk != nil {
					child[ref.Field.Name()] = pk
				}
				f.entity(name, child, sub.pos[i+1])
			}
		}
	}
	if errs.empty() {
		return
	}
	var list []EntityError
	categorize(errs, "", &list)
	if len(list) == 0 {
		return
	}
	fe := FlattenedError{EntityType: strings.TrimSuffix(typ, "s"), Entity: ent, Errors: list}
	if id, ok := obj["id"].(string); ok && schema.IsUUID(id) {
		fe.EntityID = id
	}
	if name, ok := obj["name"].(string); ok {
		fe.EntityName = name
	}
	fe.EntityTags = stringList(obj["tags"])
	f.out = append(f.out, fe)
}

func isArray(v any) bool {
	_, ok := v.([]any)
	return ok
}

// primaryKey returns {"id": …} for an object whose id is a valid UUID.
func primaryKey(obj map[string]any) map[string]any {
	if id, ok := obj["id"].(string); ok && schema.IsUUID(id) {
		return map[string]any{"id": id}
	}
	return nil
}

func stringList(v any) []string {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil
		}
		out = append(out, s)
	}
	return out
}

// categorize lists a table's errors: "@entity" messages as entity errors,
// every other message as a field error with its dotted path.
func categorize(n *node, ns string, out *[]EntityError) {
	add := func(field string, v any) {
		if v == nil {
			return
		}
		if c, ok := v.(*node); ok {
			categorize(c, field, out)
			return
		}
		*out = append(*out, EntityError{Type: "field", Field: field, Message: v.(string)})
	}
	for _, i := range n.posKeys() {
		add(join(ns, strconv.Itoa(i)), n.pos[i])
	}
	for _, k := range n.namedKeys() {
		if k == schema.EntityKey {
			entityErrors(n.named[k], out)
			continue
		}
		add(join(ns, k), n.named[k])
	}
}

func entityErrors(v any, out *[]EntityError) {
	switch x := v.(type) {
	case string:
		*out = append(*out, EntityError{Type: "entity", Message: x})
	case *node:
		for i := 1; x.pos[i] != nil; i++ {
			entityErrors(x.pos[i], out)
		}
	}
}

func join(ns, field string) string {
	if ns == "" {
		return field
	}
	return ns + "." + field
}
