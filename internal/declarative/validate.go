package declarative

import (
	"errors"
	"strings"

	"github.com/silverback-gw/silverback/internal/schema"
)

// placeholderID stands for an unresolved reference while the entity is
// validated; the reference is reported, so it never reaches a row.
const placeholderID = "00000000-0000-0000-0000-000000000000"

// reference is a foreign key value written in the document, to be found
// among the declared entities of table target.
type reference struct {
	field  string
	value  any
	target string
}

// validate checks one entity object with its entity's schema (the Admin
// API's rules and messages), its foreign keys resolved: a nested entity's
// key to its parent is the parent, a string names a declared entity by
// endpoint key or id. Nested arrays were walked already and are left out.
func (p *parser) validate(it *item) {
	e := it.e
	nests := p.nests[e.Name]
	in := make(map[string]any, len(it.raw)+1)
	for k, v := range it.raw {
		if strings.HasPrefix(k, "_") {
			p.checkExtraAttribute(it, k, v)
			continue
		}
		if nestOf(nests, k) == nil {
			in[k] = v
		}
	}
	if in["id"] == nil {
		in["id"] = it.id
	}
	for _, f := range e.ForeignKeys() {
		p.resolveForeign(it, f, in)
	}
	row, err := e.Validate(in, schema.OpInsert)
	if err != nil {
		var ve *schema.ValidationError
		if !errors.As(err, &ve) {
			ve = &schema.ValidationError{Fields: schema.Errors{schema.EntityKey: []string{err.Error()}}}
		}
		it.node(p.root).mergeSchemaErrors(ve.Fields)
		p.invalid = true
		return
	}
	for _, f := range e.Fields {
		if f.IsTransient() {
			delete(row, f.Name())
		}
	}
	it.row = row
}

// checkExtraAttribute accepts _comment and _ignore in entity objects and
// rejects any other key starting with an underscore.
func (p *parser) checkExtraAttribute(it *item, key string, v any) {
	msg := "unknown field"
	if key == keyComment || key == keyIgnore {
		msg = extraAttributeError(key, v)
	}
	if msg != "" {
		it.node(p.root).set(key, msg)
		p.invalid = true
	}
}

// resolveForeign sets the value of foreign key f in the validation input.
func (p *parser) resolveForeign(it *item, f schema.Field, in map[string]any) {
	name := f.Name()
	v, written := it.raw[name]
	written = written && v != nil
	if written {
		it.refs = append(it.refs, reference{field: name, value: v, target: f.Reference()})
		if it.parent != nil {
			// Kong's first pass wants every foreign key of a nested
			// entity null; it is reported only when validation fails.
			p.nullForeign = append(p.nullForeign, fieldRef{it, name})
		}
	}
	switch {
	case it.parent != nil && name == it.fk:
		in[name] = map[string]any{"id": it.parent.id}
	case !written:
	default:
		switch x := v.(type) {
		case string:
			if target := p.find(f.Reference(), x); target != nil {
				in[name] = map[string]any{"id": target.id}
				return
			}
			in[name] = map[string]any{"id": placeholderID}
			p.unresolved = append(p.unresolved, fieldRef{it, name})
		case map[string]any:
			if it.parent == nil {
				p.foreignTable = true
			}
		}
	}
}

// schemaError decides, as Kong's two validation passes do, whether the
// document is invalid and returns its error tree. The first pass takes
// foreign keys as strings and wants nested ones null; only when it fails
// does the second run, with references resolved, and its errors — plus
// the first pass's "value must be null" — are the result. So an
// unresolved name is an "invalid reference" (found later) when the rest
// is valid, and {id = "missing primary key"} when it is not.
func (p *parser) schemaError(doc map[string]any) *Error {
	firstPassFails := p.invalid || len(p.nullForeign) > 0 || p.foreignTable
	if !firstPassFails || (!p.invalid && len(p.unresolved) == 0) {
		return nil
	}
	for _, u := range p.unresolved {
		missing := newNode()
		missing.set("id", "missing primary key")
		u.it.node(p.root).set(u.field, missing)
	}
	for _, n := range p.nullForeign {
		n.it.node(p.root).set(n.field, "value must be null")
	}
	return p.fail(p.root, doc)
}
