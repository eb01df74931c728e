package ldapauth

import (
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/schema"
)

// Config is the validated configuration.
type Config struct {
	LDAPHost        string   `json:"ldap_host"`
	LDAPPort        int      `json:"ldap_port"`
	LDAPS           bool     `json:"ldaps"`
	StartTLS        bool     `json:"start_tls"`
	VerifyLDAPHost  bool     `json:"verify_ldap_host"`
	BaseDN          string   `json:"base_dn"`
	Attribute       string   `json:"attribute"`
	CacheTTL        float64  `json:"cache_ttl"`
	HideCredentials bool     `json:"hide_credentials"`
	Timeout         float64  `json:"timeout"`
	Keepalive       *float64 `json:"keepalive"`
	Anonymous       *string  `json:"anonymous"`
	HeaderType      string   `json:"header_type"`
	Realm           *string  `json:"realm"`
}

// msgLDAPSAndStartTLS is Kong's message when both TLS modes are enabled.
const msgLDAPSAndStartTLS = "'ldaps' and 'start_tls' cannot be enabled simultaneously"

var configSchema = plugin.NoConsumer(plugin.ConfigSchema(plugin.ProtocolsHTTP,
	[]schema.Field{
		schema.Host.Named("ldap_host").Required(),
		schema.Port.Named("ldap_port").Required().Default(389),
		schema.Bool("ldaps").Required().Default(false),
		schema.Bool("start_tls").Required().Default(false),
		schema.Bool("verify_ldap_host").Required().Default(false),
		schema.Str("base_dn").Required(),
		schema.Str("attribute").Required(),
		schema.Num("cache_ttl").Required().Default(60),
		schema.Bool("hide_credentials").Required().Default(false),
		schema.Num("timeout").Default(10000),
		schema.Num("keepalive").Default(60000),
		schema.Str("anonymous"),
		schema.Str("header_type").Default("ldap"),
		schema.Str("realm"),
	},
	schema.Custom([]string{"config"}, checkTLSModes),
))

// checkTLSModes is the config record's conditional check (if ldaps is
// true then start_tls must be false), reported as Kong reports it: the
// message on the record, the failed condition on start_tls.
func checkTLSModes(values map[string]any, _ schema.Op, errs schema.Errors) {
	c, _ := values["config"].(map[string]any)
	if c["ldaps"] == true && c["start_tls"] != false {
		errs["config"] = schema.Errors{
			schema.EntityKey: []string{msgLDAPSAndStartTLS},
			"start_tls":      "value must be false",
		}
	}
}
