package admin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"sort"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
)

// tagRoutes registers /tags and /tags/{tags} (kong/api/routes/tags.lua).
// The tags view is read-only: writes fail as Kong's tags DAO makes them.
func (h *Handler) tagRoutes(rr *router) {
	readOnly := func(c *call) error {
		fields := map[string]any{"tags": "does not support insert/upsert/update/delete operations"}
		return daoError(store.CodeSchemaViolation, "schema violation",
			"schema violation (tags: does not support insert/upsert/update/delete operations)", fields)
	}
	rr.handle("/tags", "GET", h.listTags)
	rr.handle("/tags", "POST", readOnly)
	rr.handle("/tags/{tags}", "GET", h.listTag)
	for _, m := range []string{"PUT", "PATCH", "DELETE"} {
		rr.handle("/tags/{tags}", m, readOnly)
	}
}

// tagRow is one (entity, tag) pair; ord is the tag's 1-based position in
// the entity's tags, as Postgres's UNNEST ... WITH ORDINALITY.
type tagRow struct {
	tag, entity, id string
	ord             int
}

func (t tagRow) json() map[string]any {
	return map[string]any{"tag": t.tag, "entity_name": t.entity, "entity_id": t.id}
}

// allTags lists every (entity, tag) pair ordered by entity id then position.
func (c *call) allTags() ([]tagRow, error) {
	var rows []tagRow
	err := c.view(func(ctx context.Context, tx *store.Txn) error {
		for _, e := range c.h.catalog.All() {
			if !e.HasTags() {
				continue
			}
			err := tx.Each(ctx, e.Name, store.Query{}, func(r store.Row) error {
				tags, _ := r["tags"].([]any)
				for i, t := range tags {
					if s, ok := t.(string); ok {
						rows = append(rows, tagRow{tag: s, entity: e.Name, id: r["id"].(string), ord: i + 1})
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].id != rows[j].id {
			return rows[i].id < rows[j].id
		}
		return rows[i].ord < rows[j].ord
	})
	return rows, err
}

// tagPaging reads size and offset for the tags view; the offset token is
// base64 of the JSON array [entity_id, ordinality] (Kong's tags strategy).
func (c *call) tagPaging() (int, []any, error) {
	size := defaultPageSize
	if vs, ok := c.query["size"]; ok {
		n, err := parseSize(vs)
		if err != nil {
			return 0, nil, err
		}
		size = n
	}
	tok, ok := c.queryArg("offset")
	if !ok {
		return size, nil, nil
	}
	raw, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(tok); err != nil {
			return 0, nil, store.InvalidOffset(tok, "bad base64 encoding")
		}
	}
	var after []any
	if err := json.Unmarshal(raw, &after); err != nil || len(after) == 0 {
		return 0, nil, store.InvalidOffset(tok, "bad json encoding")
	}
	return size, after, nil
}

func tagToken(v []any) string {
	b, _ := json.Marshal(v)
	return base64.StdEncoding.EncodeToString(b)
}

// listTags is GET /tags.
func (h *Handler) listTags(c *call) error {
	size, after, err := c.tagPaging()
	if err != nil {
		return err
	}
	rows, err := c.allTags()
	if err != nil {
		return err
	}
	start := 0
	if after != nil {
		id, _ := after[0].(string)
		ord := 0
		if len(after) > 1 {
			f, _ := after[1].(float64)
			ord = int(f)
		}
		start = sort.Search(len(rows), func(i int) bool {
			return rows[i].id > id || rows[i].id == id && rows[i].ord > ord
		})
	}
	page, offset := pageTags(rows[start:], size, func(last tagRow) []any { return []any{last.id, last.ord} })
	return c.ok(pageBody(page, offset, "/tags?offset="+escapeURI(offset)))
}

// listTag is GET /tags/{tags}: the entities carrying one tag.
func (h *Handler) listTag(c *call) error {
	tag := c.param("tags")
	if _, ferr := entities.Tags.ValidateField("tag", tag); ferr != nil {
		return store.InvalidUniqueField("tag", errorText(ferr))
	}
	size, after, err := c.tagPaging()
	if err != nil {
		return err
	}
	all, err := c.allTags()
	if err != nil {
		return err
	}
	var rows []tagRow
	afterID := ""
	if after != nil {
		afterID, _ = after[0].(string)
	}
	for _, r := range all {
		if r.tag == tag && (after == nil || r.id > afterID) {
			rows = append(rows, r)
		}
	}
	page, offset := pageTags(rows, size, func(last tagRow) []any { return []any{last.id} })
	return c.ok(pageBody(page, offset, "/tags/"+c.params["tags"]+"?offset="+escapeURI(offset)))
}

func pageTags(rows []tagRow, size int, token func(tagRow) []any) ([]store.Row, string) {
	offset := ""
	if len(rows) > size {
		offset = tagToken(token(rows[size-1]))
		rows = rows[:size]
	}
	out := make([]store.Row, len(rows))
	for i, r := range rows {
		out[i] = r.json()
	}
	return out, offset
}
