package oauth2

import (
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration.
type Config struct {
	Scopes                        []string `json:"scopes"`
	MandatoryScope                bool     `json:"mandatory_scope"`
	ProvisionKey                  string   `json:"provision_key"`
	TokenExpiration               float64  `json:"token_expiration"`
	EnableAuthorizationCode       bool     `json:"enable_authorization_code"`
	EnableImplicitGrant           bool     `json:"enable_implicit_grant"`
	EnableClientCredentials       bool     `json:"enable_client_credentials"`
	EnablePasswordGrant           bool     `json:"enable_password_grant"`
	HideCredentials               bool     `json:"hide_credentials"`
	AcceptHTTPIfAlreadyTerminated bool     `json:"accept_http_if_already_terminated"`
	Anonymous                     *string  `json:"anonymous"`
	GlobalCredentials             bool     `json:"global_credentials"`
	AuthHeaderName                string   `json:"auth_header_name"`
	RefreshTokenTTL               float64  `json:"refresh_token_ttl"`
	ReuseRefreshToken             bool     `json:"reuse_refresh_token"`
	PKCE                          string   `json:"pkce"`
	Realm                         *string  `json:"realm"`
}

// The pkce settings.
const (
	pkceNone   = "none"
	pkceStrict = "strict"
)

// daoMaxTTL is Kong's largest ttl (constants.DATABASE.DAO_MAX_TTL).
const daoMaxTTL = 1e8

// msgNoFlow is Kong's message when no grant is enabled.
const msgNoFlow = "at least one of these fields must be true: enable_authorization_code, " +
	"enable_implicit_grant, enable_client_credentials, enable_password_grant"

var configSchema = plugin.NoConsumer(plugin.ConfigSchema(plugin.ProtocolsHTTP,
	[]schema.Field{
		schema.ArrayOf("scopes", schema.Str("")),
		schema.Bool("mandatory_scope").Required().Default(false),
		// required and auto in Kong: checkConfig generates it, as the
		// schema package fills auto fields of entities, not of records
		schema.Str("provision_key").Unique().Auto(),
		schema.Num("token_expiration").Required().Default(7200),
		schema.Bool("enable_authorization_code").Required().Default(false),
		schema.Bool("enable_implicit_grant").Required().Default(false),
		schema.Bool("enable_client_credentials").Required().Default(false),
		schema.Bool("enable_password_grant").Required().Default(false),
		schema.Bool("hide_credentials").Required().Default(false),
		schema.Bool("accept_http_if_already_terminated").Required().Default(false),
		schema.Str("anonymous"),
		schema.Bool("global_credentials").Required().Default(false),
		schema.Str("auth_header_name").Default("authorization"),
		schema.Num("refresh_token_ttl").Between(0, daoMaxTTL).Required().Default(1209600),
		schema.Bool("reuse_refresh_token").Required().Default(false),
		schema.Str("pkce").OneOf("none", "lax", "strict").Default("lax"),
		schema.Str("realm"),
	},
	schema.Custom([]string{"config"}, checkConfig),
))

// checkConfig is the config record's entity check and custom validator
// (Kong's schema.lua): scopes are required with mandatory_scope, then at
// least one grant must be enabled. It also generates provision_key on
// insert, as Kong's auto field.
func checkConfig(values map[string]any, op schema.Op, errs schema.Errors) {
	config, _ := values["config"].(map[string]any)
	if config == nil {
		return
	}
	if config["mandatory_scope"] == true && config["scopes"] == nil {
		errs["config"] = schema.Errors{
			schema.EntityKey: []string{"failed conditional validation given value of field 'mandatory_scope'"},
			"scopes":         "required field missing",
		}
		return
	}
	if config["provision_key"] == nil {
		if op == schema.OpUpdate {
			errs["config"] = schema.Errors{"provision_key": "required field missing"}
			return
		}
		config["provision_key"] = schema.RandomString()
	}
	for _, f := range []string{"enable_authorization_code", "enable_implicit_grant", "enable_client_credentials", "enable_password_grant"} {
		if config[f] == true {
			return
		}
	}
	errs["config"] = msgNoFlow
}
