package keyauth

import (
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration.
type Config struct {
	KeyNames        []string `json:"key_names"`
	HideCredentials bool     `json:"hide_credentials"`
	Anonymous       *string  `json:"anonymous"`
	KeyInHeader     bool     `json:"key_in_header"`
	KeyInQuery      bool     `json:"key_in_query"`
	KeyInBody       bool     `json:"key_in_body"`
	RunOnPreflight  bool     `json:"run_on_preflight"`
	Realm           *string  `json:"realm"`
}

var configSchema = plugin.NoConsumer(plugin.ConfigSchema(plugin.ProtocolsHTTP,
	[]schema.Field{
		schema.ArrayOf("key_names", schema.Str("").Required()).Required().Default([]any{"apikey"}),
		schema.Bool("hide_credentials").Required().Default(false),
		schema.Str("anonymous"),
		schema.Bool("key_in_header").Required().Default(true),
		schema.Bool("key_in_query").Required().Default(true),
		schema.Bool("key_in_body").Required().Default(false),
		schema.Bool("run_on_preflight").Required().Default(true),
		schema.Str("realm"),
	},
))

// Credentials is Kong's keyauth_credentials entity (/key-auths,
// /consumers/{consumer}/key-auth).
var Credentials = &schema.Entity{
	Name: "keyauth_credentials", AdminName: "key-auths", AdminNestedName: "key-auth",
	EndpointKey: "key", CacheKey: []string{"key"}, Workspaceable: true, TTL: true,
	Fields: []schema.Field{
		schema.ID, schema.CreatedAt,
		schema.ForeignKey("consumer", "consumers").Required().Cascade(),
		schema.Str("key").Unique().Auto(),
		schema.Tags,
	},
}
