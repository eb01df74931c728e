package plugin

import "github.com/silverback-gw/silverback/internal/schema"

// Protocol field definitions for plugin schemas (Kong's typedefs).
var (
	// Protocols allows every protocol; default grpc, grpcs, http, https
	// (typedefs.protocols).
	Protocols = schema.Protocols
	// ProtocolsHTTP allows only grpc, grpcs, http and https, the default
	// (typedefs.protocols_http).
	ProtocolsHTTP = schema.SetOf("protocols",
		schema.Str("protocol").OneOf("grpc", "grpcs", "http", "https").Required()).
		Required().Default([]any{"grpc", "grpcs", "http", "https"})
)

// ConfigSchema returns a plugin's subschema of the plugins entity: its
// protocols field (Protocols or ProtocolsHTTP) and the config record of
// fields, checked by checks (paths as "config.field"). decK fills defaults
// from both, so every plugin has them.
func ConfigSchema(protocols schema.Field, fields []schema.Field, checks ...schema.Check) *schema.Subschema {
	return &schema.Subschema{
		Fields: []schema.Field{protocols, schema.RecordOf("config", fields...).Required()},
		Checks: checks,
	}
}

// NoConsumer forbids configuring the plugin on a consumer (Kong's
// typedefs.no_consumer), as authentication plugins and cors do.
func NoConsumer(sub *schema.Subschema) *schema.Subschema {
	sub.Checks = append(sub.Checks, schema.Custom([]string{"consumer"},
		func(values map[string]any, _ schema.Op, errs schema.Errors) {
			if schema.IsNonEmpty(values["consumer"]) {
				errs["consumer"] = "value must be null"
			}
		}))
	return sub
}
