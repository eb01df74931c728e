package declarative

import (
	"strings"

	"github.com/google/uuid"

	"github.com/silverback-gw/silverback/internal/schema"
)

// Ids of entities declared without one are deterministic where Kong's are
// (kong/db/schema/others/declarative_config.lua, generate_ids): a UUID v5
// in the entity's namespace — itself v5 of the table name in
// entitiesNamespace — of the entity's cache key or endpoint key. Reloading
// the same file therefore keeps ids, and db_import updates rather than
// duplicates.
var entitiesNamespace = uuid.MustParse("fd02801f-0957-4a15-a55a-c8d9606f30b5")

// anyWorkspace is the workspace part of keys built from the document,
// where no entity carries a ws_id.
const anyWorkspace = "*"

// assignID gives it its id: the one written, a deterministic one, or a
// random one. An explicit null id is random, as in Kong.
func (p *parser) assignID(it *item) {
	if v, present := it.raw["id"]; present {
		if v != nil {
			it.id, _ = v.(string) // anything else fails validation
			it.known = it.id != ""
			return
		}
	} else if key, ok := p.idKey(it); ok {
		it.id, it.known = uuid.NewSHA1(p.namespace(it.e.Name), []byte(key)).String(), true
		return
	}
	it.id = uuid.NewString()
}

func (p *parser) namespace(entity string) uuid.UUID {
	ns, ok := p.ns[entity]
	if !ok {
		ns = uuid.NewSHA1(entitiesNamespace, []byte(entity))
		p.ns[entity] = ns
	}
	return ns
}

// idKey returns the name an id is derived from: the cache key for
// entities that have one, else the endpoint key's value (made unique
// within the parent for non-unique endpoint keys).
func (p *parser) idKey(it *item) (string, bool) {
	e := it.e
	if len(e.CacheKey) > 0 {
		return cacheKey(it)
	}
	if e.EndpointKey == "" {
		return "", false
	}
	key, ok := it.raw[e.EndpointKey].(string)
	if !ok {
		return "", false
	}
	if uniqueEndpointKey(e) {
		return key, true
	}
	for _, f := range e.Fields {
		if f.Type() != schema.Foreign || f.OnDelete() != "cascade" {
			continue
		}
		switch {
		case it.parent != nil && it.parent.known:
			key += ":" + it.parent.id
		case it.parent != nil:
			return "", false
		default:
			ref, ok := it.raw[f.Name()].(string)
			if !ok {
				return "", false
			}
			key += ":" + ref
		}
	}
	return key + ":" + anyWorkspace, true
}

// cacheKey builds "<table>:*:<part>:<part>…" from the values as written:
// a string value as is, the parent's id for the foreign key of a nested
// entity, "" for an absent optional part. Other values (null, objects)
// add no part, as in Kong. Generated (auto) parts, a missing required
// part or a parent without a known id leave no deterministic key.
func cacheKey(it *item) (string, bool) {
	e := it.e
	parts := make([]string, 0, len(e.CacheKey)+2)
	parts = append(parts, e.Name, anyWorkspace)
	for _, k := range e.CacheKey {
		f, _ := e.Field(k)
		if f.IsAuto() {
			return "", false
		}
		v, present := it.raw[k]
		if present {
			if s, ok := v.(string); ok {
				parts = append(parts, s)
			}
			continue
		}
		switch {
		case it.parent != nil && k == it.fk:
			if !it.parent.known {
				return "", false
			}
			parts = append(parts, it.parent.id)
		case f.IsRequired():
			return "", false
		default:
			parts = append(parts, "")
		}
	}
	return strings.Join(parts, ":"), true
}
