package declarative

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/silverback-gw/silverback/internal/store"
)

func uniquenessMessage(entity, key, value string) string {
	return "uniqueness violation: '" + entity + "' entity with " + key + " set to '" + value + "' already declared"
}

// checkReferences is Kong's validate_references: endpoint keys and
// primary keys must be unique among the declared entities, and every
// foreign key written must name a declared entity. Uniqueness errors sit
// at the entity's position (primary keys of nested entities under their
// parent's entry); reference errors are listed under the entity's
// endpoint key value or id.
func (p *parser) checkReferences() *node {
	t := newNode()
	keys := map[string]map[string]bool{}
	ids := map[string]map[string]bool{}
	for _, it := range p.items {
		name := it.e.Name
		key := endpointValue(it)
		failed := false
		if key != "" {
			if keys[name][key] {
				t.sub(name).setPos(it.idx, uniquenessMessage(name, it.e.EndpointKey, key))
				failed = true
			} else {
				mark(keys, name, key, len(p.byEntity[name]))
			}
		}
		id, _ := it.row["id"].(string)
		if !failed && ids[name][id] {
			msg := uniquenessMessage(name, "primary key", id)
			if it.parent != nil {
				t.sub(it.parent.e.Name).at(it.parent.idx).sub(name).setPos(it.idx, msg)
			} else {
				t.sub(name).setPos(it.idx, msg)
			}
		} else {
			mark(ids, name, id, len(p.byEntity[name]))
		}
		at := key
		if at == "" {
			at = id
		}
		slices.SortFunc(it.refs, func(a, b reference) int { return strings.Compare(a.field, b.field) })
		for _, r := range it.refs {
			if p.resolve(r) == nil {
				t.sub(name).appendMessage(at, "invalid reference '"+r.field+": "+referenceText(r.value)+
					"' (no such entry in '"+r.target+"')")
			}
		}
	}
	return t
}

// endpointValue returns the value of the entity's unique endpoint key, "" if none.
func endpointValue(it *item) string {
	if !uniqueEndpointKey(it.e) {
		return ""
	}
	s, _ := it.row[it.e.EndpointKey].(string)
	return s
}

// mark records key among the seen keys of entity (or field).
func mark(seen map[string]map[string]bool, entity, key string, size int) {
	m := seen[entity]
	if m == nil {
		m = make(map[string]bool, size)
		seen[entity] = m
	}
	m[key] = true
}

// resolve finds the entity a written foreign key names: a string is an
// endpoint key value or an id, an object its "id".
func (p *parser) resolve(r reference) *item {
	switch v := r.value.(type) {
	case string:
		return p.find(r.target, v)
	case map[string]any:
		if id, ok := v["id"].(string); ok {
			return p.find(r.target, id)
		}
	}
	return nil
}

// referenceText shows a written foreign key in a message: strings as
// they are, anything else JSON-encoded as Kong's cjson does.
func referenceText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return strings.ReplaceAll(string(b), "/", `\/`)
}

// checkUnique is the last check of Kong's flatten: the values of unique
// fields must differ among the declared entities of a table. Kong keeps
// only the last violation per table, under the entity's endpoint key value
// or id. Silverback also checks cache keys (plugins' name and scope,
// targets' upstream and address), which its stores keep unique; entities
// without an id of their own collide on the primary key first.
func (p *parser) checkUnique() *node {
	t := newNode()
	for _, e := range p.catalog.All() {
		fields := e.UniqueFields()
		seen := map[string]map[string]bool{}
		report := func(it *item, field, value string) {
			at := endpointValue(it)
			if at == "" {
				at, _ = it.row["id"].(string)
			}
			table := newNode()
			table.set(at, uniquenessMessage(e.Name, field, value))
			t.set(e.Name, table)
		}
		for _, it := range p.byEntity[e.Name] {
			for _, f := range fields {
				v := store.KeyPart(it.row[f])
				if v == "" {
					continue
				}
				if seen[f][v] {
					report(it, f, v)
				}
				mark(seen, f, v, len(p.byEntity[e.Name]))
			}
			if ck := store.CacheKey(e, it.row); ck != "" {
				if seen["cache_key"][ck] {
					report(it, "cache_key", ck)
				}
				mark(seen, "cache_key", ck, len(p.byEntity[e.Name]))
			}
		}
	}
	return t
}
