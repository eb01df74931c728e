package session

import "github.com/silverback-gw/silverback/internal/schema"

// shorthands are the pre-3.0 config names Kong 3.9 still accepts as
// input, moved onto their replacements (cookie_renew is dropped: the
// session library computes renewal itself).
var shorthands = []schema.Shorthand{
	rename(schema.Num("cookie_lifetime"), "rolling_timeout"),
	{Field: schema.Num("cookie_idletime"), Expand: func(v any, into map[string]any) error {
		into["idling_timeout"] = v
		return nil
	}},
	{Field: schema.Num("cookie_renew"), Expand: func(any, map[string]any) error { return nil }},
	rename(schema.Num("cookie_discard"), "stale_ttl"),
	{Field: schema.Str("cookie_samesite"), Expand: func(v any, into map[string]any) error {
		if v == "off" {
			v = "Lax"
		}
		into["cookie_same_site"] = v
		return nil
	}},
	rename(schema.Bool("cookie_httponly"), "cookie_http_only"),
	rename(schema.Bool("cookie_persistent"), "remember"),
}

// rename is a shorthand whose value goes to the field named to as is.
func rename(f schema.Field, to string) schema.Shorthand {
	return schema.Shorthand{Field: f, Expand: func(v any, into map[string]any) error {
		into[to] = v
		return nil
	}}
}
