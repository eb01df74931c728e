package memory

import (
	"math"
	"strconv"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// table holds the rows of one entity and its indexes. Its methods do no
// locking and keep no undo log: the transaction does both.
type table struct {
	entity *schema.Entity
	rows   map[string]store.Row
	ids    idSet
	// uniqueFields lists the entity's unique fields in declaration order;
	// unique maps each to its index: value key to row id.
	uniqueFields []string
	unique       map[string]map[string]string
	// cacheKeys maps a cache key to a row id, and cacheKeyOf back.
	cacheKeys  map[string]string
	cacheKeyOf map[string]string
	// foreign maps a foreign field to its index: parent id to child ids.
	foreign map[string]map[string]*idSet
}

func newTable(e *schema.Entity) *table {
	t := &table{
		entity:     e,
		rows:       map[string]store.Row{},
		unique:     map[string]map[string]string{},
		cacheKeys:  map[string]string{},
		cacheKeyOf: map[string]string{},
		foreign:    map[string]map[string]*idSet{},
	}
	t.uniqueFields = e.UniqueFields()
	for _, f := range t.uniqueFields {
		t.unique[f] = map[string]string{}
	}
	for _, f := range e.ForeignKeys() {
		t.foreign[f.Name()] = map[string]*idSet{}
	}
	return t
}

// conflict returns the first index on which row (with the id and cache key)
// collides with another row: "id" (only when checkID), a unique field or
// "cache_key"; "" when none.
func (t *table) conflict(id string, row store.Row, cacheKey string, checkID bool) string {
	if _, ok := t.rows[id]; ok && checkID {
		return "id"
	}
	for _, f := range t.uniqueFields {
		k, ok := indexKey(row[f])
		if !ok {
			continue
		}
		if other, ok := t.unique[f][k]; ok && other != id {
			return f
		}
	}
	if cacheKey != "" {
		if other, ok := t.cacheKeys[cacheKey]; ok && other != id {
			return "cache_key"
		}
	}
	return ""
}

// put stores row (owned by the table from now on) under id and indexes it.
// The caller has checked for conflicts and removed any previous version.
func (t *table) put(id string, row store.Row, cacheKey string) {
	t.rows[id] = row
	t.ids.Add(id)
	for f, idx := range t.unique {
		if k, ok := indexKey(row[f]); ok {
			idx[k] = id
		}
	}
	if cacheKey != "" {
		t.cacheKeys[cacheKey] = id
		t.cacheKeyOf[id] = cacheKey
	}
	for f, idx := range t.foreign {
		parent := entities.ForeignID(row, f)
		if parent == "" {
			continue
		}
		children := idx[parent]
		if children == nil {
			children = &idSet{}
			idx[parent] = children
		}
		children.Add(id)
	}
}

// remove deletes the row with id and its index entries, returning the row
// and its cache key.
func (t *table) remove(id string) (store.Row, string, bool) {
	row, ok := t.rows[id]
	if !ok {
		return nil, "", false
	}
	delete(t.rows, id)
	t.ids.Remove(id)
	for f, idx := range t.unique {
		if k, ok := indexKey(row[f]); ok && idx[k] == id {
			delete(idx, k)
		}
	}
	cacheKey := t.cacheKeyOf[id]
	if cacheKey != "" {
		delete(t.cacheKeys, cacheKey)
		delete(t.cacheKeyOf, id)
	}
	for f, idx := range t.foreign {
		parent := entities.ForeignID(row, f)
		if children := idx[parent]; children != nil {
			children.Remove(id)
			if children.Len() == 0 {
				delete(idx, parent)
			}
		}
	}
	return row, cacheKey, true
}

// lookup returns the id of the row whose unique field (or "id", or
// "cache_key") equals value.
func (t *table) lookup(field string, value any) (string, bool) {
	switch field {
	case "id":
		id, _ := value.(string)
		_, ok := t.rows[id]
		return id, ok
	case "cache_key":
		s, _ := value.(string)
		id, ok := t.cacheKeys[s]
		return id, ok
	}
	idx, ok := t.unique[field]
	if !ok {
		return "", false
	}
	k, ok := indexKey(value)
	if !ok {
		return "", false
	}
	id, ok := idx[k]
	return id, ok
}

// indexKey returns the key of a unique value in an index: strings as they
// are, numbers in one canonical form so that 8000, int64(8000) and 8000.0
// meet. Null is not indexed (any number of rows may leave the field unset).
func indexKey(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return "s" + x, true
	case int64:
		return "n" + strconv.FormatInt(x, 10), true
	case int:
		return "n" + strconv.Itoa(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return "n" + strconv.FormatInt(int64(x), 10), true
		}
		return "n" + strconv.FormatFloat(x, 'g', -1, 64), true
	case bool:
		return "b" + strconv.FormatBool(x), true
	}
	return "", false
}
