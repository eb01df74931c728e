package memory

import (
	"math"
	"strconv"
	"time"

	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/internal/rowjson"
)

// table holds the rows of one entity, as records (see codec), and its
// indexes. Its methods do no locking and keep no undo log: the
// transaction does both. The indexes take their keys and ids from the
// records: indexing a row allocates nothing but map entries.
type table struct {
	entity *schema.Entity
	codec  *codec
	// rows maps an id to its record.
	rows map[string]string
	// expiry holds the expiry of the rows of a TTL entity that have one.
	expiry map[string]time.Time
	ids    idSet
	// uniqueFields lists the entity's unique fields in declaration order;
	// unique maps each to its index.
	uniqueFields []string
	unique       map[string]*uniqueIndex
	// cacheKeys maps a cache key to a row id.
	cacheKeys map[string]string
	// foreign maps a foreign field to its index.
	foreign map[string]*children
}

// children indexes the rows by the parent of one foreign field. A parent
// with a single child (a consumer's one credential) takes a map entry, not
// a set of its own.
type children struct {
	one  map[string]string
	many map[string]*idSet
}

func (c *children) add(parent, id string) {
	if s := c.many[parent]; s != nil {
		s.Add(id)
		return
	}
	other, ok := c.one[parent]
	if !ok {
		c.one[parent] = id
		return
	}
	if other == id {
		return
	}
	s := &idSet{}
	s.Add(other)
	s.Add(id)
	c.many[parent] = s
	delete(c.one, parent)
}

func (c *children) remove(parent, id string) {
	if s := c.many[parent]; s != nil {
		s.Remove(id)
		if s.Len() == 0 {
			delete(c.many, parent)
		}
		return
	}
	if c.one[parent] == id {
		delete(c.one, parent)
	}
}

// of returns the ids of the parent's children, nil when none.
func (c *children) of(parent string) *idSet {
	if s := c.many[parent]; s != nil {
		return s
	}
	if id, ok := c.one[parent]; ok {
		return &idSet{chunks: [][]string{{id}}, n: 1}
	}
	return nil
}

// uniqueIndex maps the values of a unique field to row ids: strings as
// they are, other values by their indexKey.
type uniqueIndex struct {
	strs  map[string]string
	other map[string]string
}

// index returns the map and key of v in x; false for null.
func (x *uniqueIndex) index(v any) (map[string]string, string, bool) {
	if s, ok := v.(string); ok {
		return x.strs, s, true
	}
	k, ok := indexKey(v)
	return x.other, k, ok
}

func newTable(e *schema.Entity) *table {
	t := &table{
		entity:    e,
		codec:     newCodec(e),
		rows:      map[string]string{},
		expiry:    map[string]time.Time{},
		unique:    map[string]*uniqueIndex{},
		cacheKeys: map[string]string{},
		foreign:   map[string]*children{},
	}
	t.uniqueFields = e.UniqueFields()
	for _, f := range t.uniqueFields {
		t.unique[f] = &uniqueIndex{strs: map[string]string{}, other: map[string]string{}}
	}
	for _, f := range e.ForeignKeys() {
		t.foreign[f.Name()] = &children{one: map[string]string{}, many: map[string]*idSet{}}
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
		idx, k, ok := t.unique[f].index(row[f])
		if !ok {
			continue
		}
		if other, ok := idx[k]; ok && other != id {
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

// put stores a record, with its expiry (zero for none), and indexes it.
// The caller has checked for conflicts and removed any previous version.
func (t *table) put(dec *rowjson.Decoder, rec string, exp time.Time) {
	id, cacheKey, _ := header(rec)
	t.rows[id] = rec
	if !exp.IsZero() {
		t.expiry[id] = exp
	}
	t.ids.Add(id)
	for f, x := range t.unique {
		if idx, k, ok := x.index(t.codec.field(dec, rec, f)); ok {
			idx[k] = id
		}
	}
	if cacheKey != "" {
		t.cacheKeys[cacheKey] = id
	}
	for f, c := range t.foreign {
		if parent := t.foreignID(dec, rec, f); parent != "" {
			c.add(parent, id)
		}
	}
}

// foreignID returns the parent id of a record's foreign field, "" when null.
func (t *table) foreignID(dec *rowjson.Decoder, rec, field string) string {
	ref, _ := t.codec.field(dec, rec, field).(map[string]any)
	id, _ := ref["id"].(string)
	return id
}

// stored is a removed record, as restore takes it back.
type stored struct {
	rec string
	exp time.Time
}

// remove deletes the row with id and its index entries, returning it.
func (t *table) remove(dec *rowjson.Decoder, id string) (stored, bool) {
	rec, ok := t.rows[id]
	if !ok {
		return stored{}, false
	}
	id, cacheKey, _ := header(rec)
	old := stored{rec: rec, exp: t.expiry[id]}
	delete(t.rows, id)
	delete(t.expiry, id)
	t.ids.Remove(id)
	for f, x := range t.unique {
		if idx, k, ok := x.index(t.codec.field(dec, rec, f)); ok && idx[k] == id {
			delete(idx, k)
		}
	}
	if cacheKey != "" {
		delete(t.cacheKeys, cacheKey)
	}
	for f, c := range t.foreign {
		c.remove(t.foreignID(dec, rec, f), id)
	}
	return old, true
}

// restore puts back a row remove returned.
func (t *table) restore(dec *rowjson.Decoder, old stored) {
	t.put(dec, old.rec, old.exp)
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
	x, ok := t.unique[field]
	if !ok {
		return "", false
	}
	idx, k, ok := x.index(value)
	if !ok {
		return "", false
	}
	id, ok := idx[k]
	return id, ok
}

// indexKey returns the key of a unique value other than a string in an
// index: numbers in one canonical form so that 8000, int64(8000) and 8000.0
// meet. Null is not indexed (any number of rows may leave the field unset).
func indexKey(v any) (string, bool) {
	switch x := v.(type) {
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
