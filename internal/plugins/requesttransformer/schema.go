package requesttransformer

import (
	"regexp"

	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/plugins/requesttransformer/luatemplate"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration.
type Config struct {
	HTTPMethod *string `json:"http_method"`
	Remove     Lists   `json:"remove"`
	Rename     Lists   `json:"rename"`
	Replace    Lists   `json:"replace"`
	Add        Lists   `json:"add"`
	Append     Lists   `json:"append"`
}

// Lists are the entries of one operation: names for remove, "name:value"
// pairs for the others ("old:new" for rename). URI is replace's only.
type Lists struct {
	Body        []string `json:"body"`
	Headers     []string `json:"headers"`
	Querystring []string `json:"querystring"`
	URI         *string  `json:"uri"`
}

// colonPattern is the match of Kong's header pairs.
const colonPattern = "^[^:]+:.*$"

// Kong's array fields: names, header names, pairs whose value must be a
// template, header pairs, and header pairs whose value is a header name
// too.
var (
	stringsArray          = schema.Str("")
	headersArray          = schema.Str("").Custom(validateHeaders)
	colonStringsArray     = schema.Str("").Custom(checkForValue)
	colonHeaderValueArray = schema.Str("").Match(`(?s)`+colonPattern, colonPattern, "").Custom(validateHeaders)
	colonHeadersArray     = schema.Str("").Match(`(?s)`+colonPattern, colonPattern, "").Custom(validateColonHeaders)
)

// lists declares a record of body, headers and querystring arrays
// (default []), plus fields of its own.
func lists(name string, body, headers, querystring schema.Field, more ...schema.Field) schema.Field {
	array := func(name string, elem schema.Field) schema.Field {
		return schema.ArrayOf(name, elem).Required().Default([]any{})
	}
	return schema.RecordOf(name, append([]schema.Field{
		array("body", body), array("headers", headers), array("querystring", querystring),
	}, more...)...)
}

var configSchema = plugin.ConfigSchema(plugin.Protocols, []schema.Field{
	schema.Str("http_method").Match(`^[A-Z]+$`, "^%u+$", "").
		Describe("A string representing an HTTP method, such as GET, POST, PUT, or DELETE. The string must contain only uppercase letters."),
	lists("remove", stringsArray, headersArray, stringsArray),
	lists("rename", colonStringsArray, colonHeadersArray, colonStringsArray),
	lists("replace", colonStringsArray, colonHeaderValueArray, colonStringsArray, schema.Str("uri")),
	lists("add", colonStringsArray, colonHeaderValueArray, colonStringsArray),
	lists("append", colonStringsArray, colonHeaderValueArray, colonStringsArray),
})

var headerNameRe = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// validHeaderName is Kong's kong.tools.http.validate_header_name.
func validHeaderName(s string) bool { return headerNameRe.MatchString(s) }

// checkForValue requires a value after the colon, a template that
// compiles.
func checkForValue(v any) error {
	name, value, ok := splitPair(v.(string))
	if !ok || value == "" {
		return schema.Errorf("key '%s' has no value", name)
	}
	if _, err := luatemplate.Compile(value); err != nil {
		return schema.Errorf("value '%s' is not in supported format, error:%s", value, err)
	}
	return nil
}

// validateHeaders requires the name (before the colon) to be a valid
// header name.
func validateHeaders(v any) error {
	name, _, ok := splitPair(v.(string))
	switch {
	case !ok:
		return schema.Errorf("'nil' is not a valid header")
	case !validHeaderName(name):
		return schema.Errorf("'%s' is not a valid header", name)
	}
	return nil
}

// validateColonHeaders requires both names of a header rename to be
// valid.
func validateColonHeaders(v any) error {
	if err := validateHeaders(v); err != nil {
		return err
	}
	if _, value, _ := splitPair(v.(string)); !validHeaderName(value) {
		return schema.Errorf("'%s' is not a valid header", value)
	}
	return nil
}
