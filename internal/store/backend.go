package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
)

// Row is one stored entity: field name to value in the data model of package
// schema (string, int64, float64, bool, []any, map[string]any, nil). Foreign
// fields hold {"id": "..."}. Rows returned by a backend belong to the caller.
type Row = map[string]any

// Backend stores rows. It does no validation: the DB above it does. It must
// enforce uniqueness of id, of every unique field and of the cache key, and
// report violations as *UniqueViolation.
type Backend interface {
	// Update runs fn in a read-write transaction, committed when fn returns nil.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Close releases the backend.
	Close() error
}

// Tx is a transaction of a Backend. Table names are entity names.
type Tx interface {
	// Get returns the row with the id, or ErrNotFound.
	Get(ctx context.Context, table, id string) (Row, error)
	// GetBy returns the row whose unique field (or "cache_key") equals value,
	// or ErrNotFound.
	GetBy(ctx context.Context, table, field string, value any) (Row, error)
	// Page lists rows ordered by id.
	Page(ctx context.Context, table string, q Query) (Page, error)
	// Insert adds a row; its cacheKey ("" when the entity has none) is
	// stored for GetBy(…, "cache_key", …) and kept unique.
	Insert(ctx context.Context, table string, row Row, cacheKey string) error
	// Replace overwrites the row with the same id, or returns ErrNotFound.
	Replace(ctx context.Context, table string, row Row, cacheKey string) error
	// Delete removes the row with the id; deleting a missing row is not an error.
	Delete(ctx context.Context, table, id string) error
	// Truncate removes every row of the table (DB-less reloads).
	Truncate(ctx context.Context, table string) error
}

// Query selects a page of rows.
type Query struct {
	// Size is the page size (1..1000).
	Size int
	// Offset is the token of the previous page's last row ("" for the first page).
	Offset string
	// Tags filters rows: all of them (TagsAny false) or any of them.
	Tags    []string
	TagsAny bool
	// ForeignField and ForeignID keep rows whose foreign field references ID.
	ForeignField string
	ForeignID    string
}

// Page is one page of rows and the offset of the next ("" on the last page).
type Page struct {
	Rows   []Row
	Offset string
}

// ErrNotFound is returned by backends for missing rows.
var ErrNotFound = errors.New("not found")

// UniqueViolation is returned by backends when a write would duplicate a
// unique value.
type UniqueViolation struct {
	Field string // "id", a unique field, or "cache_key"
	Value any
}

func (u *UniqueViolation) Error() string { return "unique violation on " + u.Field }

// EncodeOffset returns the page token for the last id of a page: base64 (no
// padding) of a JSON array of the primary key, as Kong's postgres strategy.
func EncodeOffset(id string) string {
	b, _ := json.Marshal([]string{id})
	return base64.RawStdEncoding.EncodeToString(b)
}

// DecodeOffset returns the id encoded in a page token.
func DecodeOffset(token string) (string, error) {
	b, err := base64.RawStdEncoding.DecodeString(token)
	if err != nil {
		if b, err = base64.StdEncoding.DecodeString(token); err != nil {
			return "", InvalidOffset(token, "bad base64 encoding")
		}
	}
	var pk []string
	if err := json.Unmarshal(b, &pk); err != nil || len(pk) != 1 {
		return "", InvalidOffset(token, "bad json encoding")
	}
	return pk[0], nil
}

// HasTags reports whether a row's tags satisfy q's tag filter.
func (q Query) HasTags(row Row) bool {
	if len(q.Tags) == 0 {
		return true
	}
	tags, _ := row["tags"].([]any)
	has := func(t string) bool {
		for _, x := range tags {
			if x == t {
				return true
			}
		}
		return false
	}
	for _, t := range q.Tags {
		if has(t) == q.TagsAny {
			return q.TagsAny
		}
	}
	return !q.TagsAny
}
