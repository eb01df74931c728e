package admin

import (
	"math"
	"strings"

	"github.com/silverback-gw/silverback/internal/schema"
	"github.com/silverback-gw/silverback/internal/store"
)

// Kong's page sizes (kong/api/endpoints.lua extract_options).
const (
	defaultPageSize = 100
	maxPageSize     = 1000
	maxQueryTags    = 5
)

// pageArgs are a collection request's paging arguments.
type pageArgs struct {
	query store.Query
	// rawTags and rawSize are the arguments as given, for next links.
	rawTags, rawSize string
	hasTags, hasSize bool
}

// pageArgs reads size, offset and tags as Kong does, in Kong's order of
// checks: a null tags filter, a size that is no number, a size out of
// range, a bad tags filter, then a bad offset. Entities without tags
// ignore the tags argument.
func (c *call) pageArgs(e *schema.Entity) (pageArgs, error) {
	var pa pageArgs
	pa.query.Size = defaultPageSize
	tagsArg, hasTags := c.queryArg("tags")
	hasTags = hasTags && e.HasTags()
	if hasTags && tagsArg == "" {
		return pa, store.InvalidOptions("tags", "cannot be null")
	}
	if vs, ok := c.query["size"]; ok {
		pa.rawSize, pa.hasSize = vs[0], true
		size, err := parseSize(vs)
		if err != nil {
			return pa, err
		}
		pa.query.Size = size
	}
	if hasTags {
		tags, anyOf, problem := parseTagFilter(tagsArg)
		if problem != "" {
			return pa, store.InvalidOptions("tags", problem)
		}
		pa.query.Tags, pa.query.TagsAny = tags, anyOf
		pa.rawTags, pa.hasTags = tagsArg, true
	}
	if off, ok := c.queryArg("offset"); ok {
		if _, err := store.DecodeOffset(off); err != nil {
			return pa, err
		}
		pa.query.Offset = off
	}
	return pa, nil
}

// parseSize checks a size argument (Lua's tonumber, then an integer
// between 1 and 1000).
func parseSize(vs []string) (int, error) {
	if len(vs) != 1 {
		return 0, store.InvalidSize("size must be a number")
	}
	n, ok := luaToNumber(vs[0])
	if !ok {
		return 0, store.InvalidSize("size must be a number")
	}
	f := numberValue(n)
	if f != math.Floor(f) || f < 1 || f > maxPageSize {
		return 0, store.InvalidSize("size must be an integer between 1 and 1000")
	}
	return int(f), nil
}

// tagByte reports whether b may appear in a tag filter: printable ASCII
// except ',' and '/', or a UTF-8 byte 0x80-0xF4 (Kong's TAGS_*_REGEX).
func tagByte(b byte) bool {
	return b >= 0x20 && b <= 0x7e && b != ',' && b != '/' || b >= 0x80 && b <= 0xf4
}

// parseTagFilter reads "a,b" (all of) or "a/b" (any of); problem is Kong's
// option error when the filter is invalid.
func parseTagFilter(s string) (tags []string, anyOf bool, problem string) {
	hasComma, hasSlash := strings.Contains(s, ","), strings.Contains(s, "/")
	sep := ","
	if hasSlash && !hasComma {
		sep, anyOf = "/", true
	}
	if hasComma && hasSlash {
		return nil, false, "invalid filter syntax"
	}
	parts := strings.Split(s, sep)
	if parts[len(parts)-1] == "" { // "a," matches Kong's pattern: a trailing separator
		parts = parts[:len(parts)-1]
	}
	for _, p := range parts {
		if p == "" {
			return nil, false, "invalid filter syntax"
		}
		for i := 0; i < len(p); i++ {
			if !tagByte(p[i]) {
				return nil, false, "invalid filter syntax"
			}
		}
	}
	if len(parts) == 0 {
		return nil, false, "invalid filter syntax"
	}
	if len(parts) > maxQueryTags {
		return nil, false, "cannot query more than 5 tags"
	}
	return parts, anyOf, ""
}

// escapeURI escapes as ngx.escape_uri: everything but unreserved characters.
func escapeURI(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// topNext is the next link of a top-level collection: the tags and size
// given are carried.
func (pa pageArgs) topNext(apiName, offset string) string {
	next := "/" + apiName + "?offset=" + escapeURI(offset)
	if pa.hasTags {
		next += "&tags=" + escapeURI(pa.rawTags)
	}
	if pa.hasSize {
		next += "&size=" + pa.rawSize
	}
	return next
}

// pageBody is Kong's page: data always an array, offset only when there is
// a next page, next null on the last page.
func pageBody(rows []store.Row, offset, next string) map[string]any {
	data := make([]any, len(rows))
	for i, r := range rows {
		data[i] = r
	}
	body := map[string]any{"data": data, "next": nil}
	if offset != "" {
		body["offset"] = offset
		body["next"] = next
	}
	return body
}
