package requesttermination

import (
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration, defaults filled in.
type Config struct {
	StatusCode  int     `json:"status_code"`
	Message     *string `json:"message"`
	ContentType *string `json:"content_type"`
	Body        *string `json:"body"`
	Echo        bool    `json:"echo"`
	Trigger     *string `json:"trigger"`
}

var configSchema = plugin.ConfigSchema(plugin.ProtocolsHTTP,
	[]schema.Field{
		schema.Int("status_code").Required().Default(503).Between(100, 599),
		schema.Str("message"),
		schema.Str("content_type"),
		schema.Str("body"),
		schema.Bool("echo").Required().Default(false),
		schema.HeaderName.Named("trigger"),
	},
	schema.Custom([]string{"config"}, checkConfig),
)

// checkConfig is Kong's custom_validator of the config record.
func checkConfig(values map[string]any, _ schema.Op, errs schema.Errors) {
	c, _ := values["config"].(map[string]any)
	present := func(k string) bool { return schema.IsNonEmpty(c[k]) }
	switch {
	case present("message") && (present("content_type") || present("body")):
		errs["config"] = "message cannot be used with content_type or body"
	case present("content_type") && !present("body"):
		errs["config"] = "content_type requires a body"
	case c["echo"] == true && (present("content_type") || present("body")):
		errs["config"] = "echo cannot be used with content_type and body"
	}
}
