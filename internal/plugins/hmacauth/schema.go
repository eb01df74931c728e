package hmacauth

import (
	"errors"

	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration.
type Config struct {
	HideCredentials     bool     `json:"hide_credentials"`
	ClockSkew           float64  `json:"clock_skew"`
	Anonymous           *string  `json:"anonymous"`
	ValidateRequestBody bool     `json:"validate_request_body"`
	EnforceHeaders      []string `json:"enforce_headers"`
	Algorithms          []string `json:"algorithms"`
	Realm               *string  `json:"realm"`
}

// algorithmNames are the algorithms Kong supports, its default.
var algorithmNames = []any{"hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512"}

var configSchema = plugin.NoConsumer(plugin.ConfigSchema(plugin.ProtocolsHTTP,
	[]schema.Field{
		schema.Bool("hide_credentials").Required().Default(false),
		schema.Num("clock_skew").Default(300).Custom(positive),
		schema.Str("anonymous"),
		schema.Bool("validate_request_body").Required().Default(false),
		schema.ArrayOf("enforce_headers", schema.Str("")).Default([]any{}),
		schema.ArrayOf("algorithms", schema.Str("").OneOf(algorithmNames...)).Default(algorithmNames),
		schema.Str("realm"),
	},
))

// positive is Kong's gt = 0.
func positive(v any) error {
	if n, _ := v.(float64); n <= 0 {
		return errors.New("value must be greater than 0")
	}
	return nil
}

// Credentials is Kong's hmacauth_credentials entity (/hmac-auths,
// /consumers/{consumer}/hmac-auth); the secret is generated when not
// given.
var Credentials = &schema.Entity{
	Name: "hmacauth_credentials", AdminName: "hmac-auths", AdminNestedName: "hmac-auth",
	EndpointKey: "username", CacheKey: []string{"username"}, Workspaceable: true,
	Fields: []schema.Field{
		schema.ID, schema.CreatedAt,
		schema.ForeignKey("consumer", "consumers").Required().Cascade(),
		schema.Str("username").Required().Unique(),
		schema.Str("secret").Auto(),
		schema.Tags,
	},
}
