package basicauth

import (
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration.
type Config struct {
	Anonymous       *string `json:"anonymous"`
	HideCredentials bool    `json:"hide_credentials"`
	Realm           string  `json:"realm"`
}

var configSchema = plugin.NoConsumer(plugin.ConfigSchema(plugin.ProtocolsHTTP,
	[]schema.Field{
		schema.Str("anonymous"),
		schema.Bool("hide_credentials").Required().Default(false),
		schema.Str("realm").Required().Default("service"),
	},
))

// Credentials is Kong's basicauth_credentials entity (/basic-auths,
// /consumers/{consumer}/basic-auth). The password is stored hashed
// (HashPassword).
var Credentials = &schema.Entity{
	Name: "basicauth_credentials", AdminName: "basic-auths", AdminNestedName: "basic-auth",
	EndpointKey: "username", CacheKey: []string{"username"}, Workspaceable: true,
	Fields: []schema.Field{
		schema.ID, schema.CreatedAt,
		schema.ForeignKey("consumer", "consumers").Required().Cascade(),
		schema.Str("username").Required().Unique(),
		schema.Str("password").Required(),
		schema.Tags,
	},
	Normalize: normalizeCredential,
	Checks:    []schema.Check{passwordCheck},
	Transform: hashPassword,
}
