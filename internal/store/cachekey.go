package store

import (
	"fmt"
	"strings"

	"github.com/silverback-gw/silverback/internal/schema"
)

// CacheKey returns Kong's cache key of a row for entities that declare one
// ("plugins:<name>:<route id>:<service id>:<consumer id>::<ws_id>"), or ""
// for entities without: the table and five parts, foreign parts by their
// id and null or missing parts empty, as in Kong's DAO:cache_key. The
// workspace part stays empty.
func CacheKey(e *schema.Entity, row Row) string {
	if len(e.CacheKey) == 0 {
		return ""
	}
	parts := make([]string, 0, 7)
	parts = append(parts, e.Name)
	for _, f := range e.CacheKey {
		parts = append(parts, KeyPart(row[f]))
	}
	for len(parts) < 6 {
		parts = append(parts, "")
	}
	return strings.Join(parts, ":") + ":"
}

// KeyPart is a value as keys compare it: a foreign key by its id, null as
// "", other values as text.
func KeyPart(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case map[string]any:
		id, _ := x["id"].(string)
		return id
	}
	return fmt.Sprint(v)
}

func cacheKeyFields(e *schema.Entity, row Row) map[string]any {
	out := make(map[string]any, len(e.CacheKey))
	for _, f := range e.CacheKey {
		out[f] = row[f]
	}
	return out
}
