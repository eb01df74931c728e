package httplog

import (
	"errors"
	"net/url"
	"strings"

	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/plugin/queue"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration.
type Config struct {
	HTTPEndpoint string            `json:"http_endpoint"`
	Method       string            `json:"method"`
	ContentType  string            `json:"content_type"`
	Timeout      float64           `json:"timeout"`   // milliseconds
	Keepalive    float64           `json:"keepalive"` // milliseconds
	Headers      map[string]string `json:"headers"`
	Queue        queue.Config      `json:"queue"`
	// CustomFieldsByLua is accepted and stored; Lua is not run.
	CustomFieldsByLua map[string]string `json:"custom_fields_by_lua"`
	// Legacy holds the deprecated retry_count, queue_size and
	// flush_timeout.
	queue.Legacy
}

// msgBothAuth is Kong's refusal of an Authorization header next to user
// info in the endpoint.
const msgBothAuth = "specifying both an 'Authorization' header and user info in 'http_endpoint' is not allowed"

var configSchema = &schema.Subschema{Fields: []schema.Field{
	plugin.Protocols,
	schema.RecordOf("config",
		schema.URL.Named("http_endpoint").Required().Referenceable(),
		schema.Str("method").Default("POST").OneOf("POST", "PUT", "PATCH"),
		schema.Str("content_type").Default("application/json").OneOf("application/json", "application/json; charset=utf-8"),
		schema.Num("timeout").Default(10000),
		schema.Num("keepalive").Default(60000),
		schema.Int("retry_count"),
		schema.Int("queue_size"),
		schema.Num("flush_timeout"),
		schema.MapOf("headers", schema.HeaderName, schema.Str("").Referenceable()).Custom(checkHeaderNames),
		queue.Field,
		schema.MapOf("custom_fields_by_lua", schema.Str("").LenMin(1), schema.Str("").LenMin(1)),
	).Required().Custom(checkAuthorization),
}}

// checkHeaderNames refuses the headers the plugin sets itself, with
// Kong's patterns (whose Content-Length one only matches a lower-case
// "n" in "length").
func checkHeaderNames(v any) error {
	for name := range v.(map[string]any) {
		switch {
		case strings.EqualFold(name, "host"):
			return errors.New("cannot contain 'Host' header")
		case strings.EqualFold(name, "content-length") && name[10] == 'n':
			return errors.New("cannot contain 'Content-Length' header")
		case strings.EqualFold(name, "content-type"):
			return errors.New("cannot contain 'Content-Type' header")
		}
	}
	return nil
}

// checkAuthorization refuses an Authorization header when the endpoint
// carries user info, which becomes one.
func checkAuthorization(v any) error {
	c := v.(map[string]any)
	endpoint, _ := c["http_endpoint"].(string)
	headers, _ := c["headers"].(map[string]any)
	u, err := url.Parse(endpoint)
	if err != nil || u.User == nil {
		return nil
	}
	for name := range headers {
		if strings.EqualFold(name, "authorization") {
			return errors.New(msgBothAuth)
		}
	}
	return nil
}
