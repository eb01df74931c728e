package cors

import (
	"fmt"
	"regexp"

	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration, defaults filled in.
type Config struct {
	Origins           []string `json:"origins"`
	Headers           []string `json:"headers"`
	ExposedHeaders    []string `json:"exposed_headers"`
	Methods           []string `json:"methods"`
	MaxAge            *float64 `json:"max_age"`
	Credentials       bool     `json:"credentials"`
	PrivateNetwork    bool     `json:"private_network"`
	PreflightContinue bool     `json:"preflight_continue"`
}

var allMethods = []any{"GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"}

var configSchema = plugin.NoConsumer(plugin.ConfigSchema(plugin.ProtocolsHTTP, []schema.Field{
	schema.ArrayOf("origins", schema.Str("").Custom(validateOrigin)),
	schema.ArrayOf("headers", schema.Str("")),
	schema.ArrayOf("exposed_headers", schema.Str("")),
	schema.ArrayOf("methods", schema.Str("").OneOf(allMethods...)).Default(allMethods),
	schema.Num("max_age"),
	schema.Bool("credentials").Required().Default(false),
	schema.Bool("private_network").Required().Default(false),
	schema.Bool("preflight_continue").Required().Default(false),
}))

// validateOrigin accepts "*" or a regular expression (plain origins are
// regular expressions too), as Kong's validate_asterisk_or_regex.
func validateOrigin(v any) error {
	s, _ := v.(string)
	if s == "*" {
		return nil
	}
	if _, err := regexp.Compile(s); err != nil {
		return fmt.Errorf("'%s' is not a valid regex", s)
	}
	return nil
}
