package iprestriction

import (
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration.
type Config struct {
	Allow   []string `json:"allow"`
	Deny    []string `json:"deny"`
	Status  *float64 `json:"status"`
	Message *string  `json:"message"`
}

var configSchema = plugin.ConfigSchema(
	plugin.Protocols.Default([]any{"http", "https", "tcp", "tls", "grpc", "grpcs"}),
	[]schema.Field{
		schema.ArrayOf("allow", schema.IPOrCIDR),
		schema.ArrayOf("deny", schema.IPOrCIDR),
		schema.Num("status"),
		schema.Str("message"),
	},
	schema.AtLeastOneOf("config.allow", "config.deny"),
)
