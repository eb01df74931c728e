package jwt

import (
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration.
type Config struct {
	URIParamNames     []string `json:"uri_param_names"`
	CookieNames       []string `json:"cookie_names"`
	KeyClaimName      string   `json:"key_claim_name"`
	SecretIsBase64    bool     `json:"secret_is_base64"`
	ClaimsToVerify    []string `json:"claims_to_verify"`
	Anonymous         *string  `json:"anonymous"`
	RunOnPreflight    bool     `json:"run_on_preflight"`
	MaximumExpiration float64  `json:"maximum_expiration"`
	HeaderNames       []string `json:"header_names"`
	Realm             *string  `json:"realm"`
}

// maxMaximumExpiration is maximum_expiration's upper bound (365 days).
const maxMaximumExpiration = 31536000

var configSchema = plugin.NoConsumer(plugin.ConfigSchema(plugin.ProtocolsHTTP,
	[]schema.Field{
		schema.SetOf("uri_param_names", schema.Str("")).Default([]any{"jwt"}),
		schema.SetOf("cookie_names", schema.Str("")).Default([]any{}),
		schema.Str("key_claim_name").Default("iss"),
		schema.Bool("secret_is_base64").Required().Default(false),
		schema.SetOf("claims_to_verify", schema.Str("").OneOf(claimExp, claimNbf)),
		schema.Str("anonymous"),
		schema.Bool("run_on_preflight").Required().Default(true),
		schema.Num("maximum_expiration").Default(0).Between(0, maxMaximumExpiration),
		schema.SetOf("header_names", schema.Str("")).Default([]any{"authorization"}),
		schema.Str("realm"),
	},
	maximumExpirationCheck(),
))

// maximumExpirationCheck is Kong's conditional entity check: a positive
// config.maximum_expiration needs "exp" in config.claims_to_verify.
func maximumExpirationCheck() schema.Check {
	const msg = "failed conditional validation given value of field 'config.maximum_expiration'"
	c := schema.Custom([]string{"config"}, func(values map[string]any, _ schema.Op, errs schema.Errors) {
		config, _ := values["config"].(map[string]any)
		if maximum, _ := config["maximum_expiration"].(float64); maximum <= 0 {
			return
		}
		claims, _ := config["claims_to_verify"].([]any)
		for _, c := range claims {
			if c == claimExp {
				return
			}
		}
		errs.AddEntity(msg)
		errs["config"] = schema.Errors{"claims_to_verify": "expected to contain: " + claimExp}
	})
	c.JSON = map[string]any{"conditional": map[string]any{
		"if_field": "config.maximum_expiration", "if_match": map[string]any{"gt": 0},
		"then_field": "config.claims_to_verify", "then_match": map[string]any{"contains": claimExp},
	}}
	return c
}
