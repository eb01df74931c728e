package declarative

import (
	"errors"
	"runtime"
	"strings"
	"sync"

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

// minParallel is the number of entities per goroutine below which
// validating in parallel does not pay.
const minParallel = 2048

// validateAll validates every entity, in parallel for large documents
// (entities are validated independently), and merges the results into
// the error tree in document order.
func (p *parser) validateAll() {
	workers := min(runtime.GOMAXPROCS(0), len(p.items)/minParallel)
	if workers <= 1 {
		for _, it := range p.items {
			p.validate(it)
		}
	} else {
		var (
			wg       sync.WaitGroup
			once     sync.Once
			panicked any
		)
		chunk := (len(p.items) + workers - 1) / workers
		for start := 0; start < len(p.items); start += chunk {
			part := p.items[start:min(start+chunk, len(p.items))]
			wg.Go(func() {
				defer func() {
					if r := recover(); r != nil {
						once.Do(func() { panicked = r })
					}
				}()
				for _, it := range part {
					p.validate(it)
				}
			})
		}
		wg.Wait()
		if panicked != nil {
			panic(panicked) // on the caller's goroutine, where its recovery (if any) applies
		}
	}
	for _, it := range p.items {
		if len(it.errs) > 0 {
			it.node(p.root).mergeSchemaErrors(it.errs)
			p.invalid = true
		}
		for _, f := range it.nullForeign {
			p.nullForeign = append(p.nullForeign, fieldRef{it, f})
		}
		for _, f := range it.unresolved {
			p.unresolved = append(p.unresolved, fieldRef{it, f})
		}
		p.foreignTable = p.foreignTable || it.foreignTable
	}
}

// validated is what validating an entity found.
type validated struct {
	row  map[string]any // the row, when valid
	errs schema.Errors  // its schema errors
	// nullForeign are the foreign keys written in a nested entity,
	// unresolved those naming no declared entity; foreignTable reports a
	// top-level foreign key written as an object.
	nullForeign, unresolved []string
	foreignTable            bool
}

// validate checks one entity object with its entity's schema (the Admin
// API's rules and messages), its foreign keys resolved: a nested entity's
// key to its parent is the parent, a string names a declared entity by
// endpoint key or id. Nested arrays were walked already and are left out.
// It only reads the parser, so entities validate in parallel.
func (p *parser) validate(it *item) {
	e := it.e
	nests := p.nests[e.Name]
	in := make(map[string]any, len(it.raw)+1)
	for k, v := range it.raw {
		if strings.HasPrefix(k, "_") {
			if msg := extraAttributeMessage(k, v); msg != "" {
				it.addError(k, msg)
			}
			continue
		}
		if nestOf(nests, k) == nil {
			in[k] = v
		}
	}
	if in["id"] == nil {
		in["id"] = it.id
	}
	for _, f := range p.foreignKeys[e.Name] {
		p.resolveForeign(it, f, in)
	}
	row, err := e.Validate(in, schema.OpInsert)
	if err != nil {
		var ve *schema.ValidationError
		if !errors.As(err, &ve) {
			ve = &schema.ValidationError{Fields: schema.Errors{schema.EntityKey: []string{err.Error()}}}
		}
		for k, v := range ve.Fields {
			it.addError(k, v)
		}
		return
	}
	if len(it.errs) > 0 {
		return
	}
	for _, f := range e.Fields {
		if f.IsTransient() {
			delete(row, f.Name())
		}
	}
	it.row = row
}

func (it *item) addError(field string, v any) {
	if it.errs == nil {
		it.errs = schema.Errors{}
	}
	it.errs[field] = v
}

// extraAttributeMessage accepts _comment and _ignore in entity objects and
// rejects any other key starting with an underscore.
func extraAttributeMessage(key string, v any) string {
	if key == keyComment || key == keyIgnore {
		return extraAttributeError(key, v)
	}
	return "unknown field"
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
			it.nullForeign = append(it.nullForeign, name)
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
			it.unresolved = append(it.unresolved, name)
		case map[string]any:
			if it.parent == nil {
				it.foreignTable = true
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
