package botdetection

import (
	"errors"
	"regexp"

	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration.
type Config struct {
	Allow []string `json:"allow"`
	Deny  []string `json:"deny"`
}

var configSchema = plugin.NoConsumer(plugin.ConfigSchema(plugin.ProtocolsHTTP,
	[]schema.Field{
		schema.ArrayOf("allow", regexElem).Default([]any{}),
		schema.ArrayOf("deny", regexElem).Default([]any{}),
	},
))

// regexElem is a pattern element (Kong's is_regex): it must compile, with
// Kong's message otherwise.
var regexElem = schema.Str("").Custom(func(v any) error {
	s, _ := v.(string)
	if _, err := regexp.Compile(s); err != nil {
		return errors.New("not a valid regex: " + s)
	}
	return nil
})
