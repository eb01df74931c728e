package requestsizelimiting

import (
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration, defaults filled in.
type Config struct {
	AllowedPayloadSize   int64  `json:"allowed_payload_size"`
	SizeUnit             string `json:"size_unit"`
	RequireContentLength bool   `json:"require_content_length"`
}

var configSchema = plugin.ConfigSchema(plugin.ProtocolsHTTP, []schema.Field{
	schema.Int("allowed_payload_size").Required().Default(128),
	schema.Str("size_unit").Required().Default("megabytes").OneOf("megabytes", "kilobytes", "bytes"),
	schema.Bool("require_content_length").Required().Default(false),
})

// unitBytes are the size units, Kong's powers of two.
var unitBytes = map[string]int64{"bytes": 1, "kilobytes": 1 << 10, "megabytes": 1 << 20}
