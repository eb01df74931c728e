package postgres

import "slices"

// subsystem is one line of Kong's migration bookkeeping: core or a bundled
// plugin, with the names of its migrations up to Kong 3.9 in order. Silverback
// creates a subsystem's final 3.9 layout in one step (ddl) and records every
// migration as executed, so a Kong 3.9 node sees the database as up to date.
type subsystem struct {
	name       string
	migrations []string
	ddl        string
	// tagged lists the tables that get a sync_tags trigger.
	tagged []string
	// teardown is set when one of the migrations has a teardown step: Kong
	// then leaves pending = '{}' rather than NULL.
	teardown bool
}

// namespace is the Lua module namespace `kong migrations status` prints.
func (s subsystem) namespace() string {
	if s.name == "core" {
		return "kong.db.migrations.core"
	}
	return "kong.plugins." + s.name + ".migrations"
}

// subsystems are core first, then the plugins sorted by name, as Kong
// orders them.
var subsystems = []subsystem{
	{name: "core", ddl: coreDDL, teardown: true, migrations: []string{
		"000_base", "003_100_to_110", "004_110_to_120", "005_120_to_130", "006_130_to_140",
		"007_140_to_150", "008_150_to_200", "009_200_to_210", "010_210_to_211", "011_212_to_213",
		"012_213_to_220", "013_220_to_230", "014_230_to_270", "015_270_to_280", "016_280_to_300",
		"017_300_to_310", "018_310_to_320", "019_320_to_330", "020_330_to_340", "021_340_to_350",
		"022_350_to_360", "023_360_to_370", "024_380_to_390",
	}, tagged: []string{
		"certificates", "snis", "ca_certificates", "services", "routes", "consumers", "upstreams",
		"targets", "plugins", "sm_vaults", "key_sets", "keys", "filter_chains",
	}},
	{name: "acl", ddl: pluginDDL["acl"], teardown: true, tagged: []string{"acls"},
		migrations: []string{"000_base_acl", "002_130_to_140", "003_200_to_210", "004_212_to_213"}},
	{name: "acme", ddl: pluginDDL["acme"], teardown: true,
		migrations: []string{"000_base_acme", "001_280_to_300", "002_320_to_330", "003_350_to_360"}},
	{name: "ai-proxy", teardown: true, migrations: []string{"001_360_to_370"}},
	{name: "basic-auth", ddl: pluginDDL["basic-auth"], teardown: true, tagged: []string{"basicauth_credentials"},
		migrations: []string{"000_base_basic_auth", "002_130_to_140", "003_200_to_210"}},
	{name: "bot-detection", teardown: true, migrations: []string{"001_200_to_210"}},
	{name: "hmac-auth", ddl: pluginDDL["hmac-auth"], teardown: true, tagged: []string{"hmacauth_credentials"},
		migrations: []string{"000_base_hmac_auth", "002_130_to_140", "003_200_to_210"}},
	{name: "http-log", teardown: true, migrations: []string{"001_280_to_300"}},
	{name: "ip-restriction", teardown: true, migrations: []string{"001_200_to_210"}},
	{name: "jwt", ddl: pluginDDL["jwt"], teardown: true, tagged: []string{"jwt_secrets"},
		migrations: []string{"000_base_jwt", "002_130_to_140", "003_200_to_210"}},
	{name: "key-auth", ddl: pluginDDL["key-auth"], teardown: true, tagged: []string{"keyauth_credentials"},
		migrations: []string{"000_base_key_auth", "002_130_to_140", "003_200_to_210", "004_320_to_330"}},
	{name: "oauth2", ddl: pluginDDL["oauth2"], teardown: true, tagged: []string{"oauth2_credentials"},
		migrations: []string{"000_base_oauth2", "003_130_to_140", "004_200_to_210", "005_210_to_211",
			"006_320_to_330", "007_320_to_330"}},
	{name: "opentelemetry", teardown: true, migrations: []string{"001_331_to_332"}},
	{name: "post-function", teardown: true, migrations: []string{"001_280_to_300"}},
	{name: "pre-function", teardown: true, migrations: []string{"001_280_to_300"}},
	{name: "rate-limiting", ddl: pluginDDL["rate-limiting"], teardown: true,
		migrations: []string{"000_base_rate_limiting", "003_10_to_112", "004_200_to_210", "005_320_to_330", "006_350_to_360"}},
	{name: "response-ratelimiting", ddl: pluginDDL["response-ratelimiting"], teardown: true,
		migrations: []string{"000_base_response_rate_limiting", "001_350_to_360"}},
	{name: "session", ddl: pluginDDL["session"],
		migrations: []string{"000_base_session", "001_add_ttl_index", "002_320_to_330"}},
}

// selectSubsystems returns core and the subsystems of the plugins named,
// as Kong considers only its loaded plugins; nil selects every bundled
// plugin. Plugins without migrations, or unknown, add nothing.
func selectSubsystems(plugins []string) []subsystem {
	if plugins == nil {
		return subsystems
	}
	var out []subsystem
	for _, s := range subsystems {
		if s.name == "core" || slices.Contains(plugins, s.name) {
			out = append(out, s)
		}
	}
	return out
}

// bookkeepingDDL creates Kong's migration bookkeeping tables.
const bookkeepingDDL = `
CREATE TABLE IF NOT EXISTS schema_meta (
  key text, subsystem text, last_executed text, executed text[], pending text[],
  PRIMARY KEY (key, subsystem)
);
CREATE TABLE IF NOT EXISTS locks (key text PRIMARY KEY, owner text, ttl timestamp with time zone);
CREATE INDEX IF NOT EXISTS locks_ttl_idx ON locks (ttl);
`

// setupSQL is the whole of a subsystem's layout: its tables, then the
// sync_tags triggers of its tagged tables.
func (s subsystem) setupSQL() string {
	sql := s.ddl
	for _, t := range s.tagged {
		sql += "\nCREATE TRIGGER " + syncTagsTriggers[t] + " AFTER INSERT OR DELETE OR UPDATE OF tags ON " +
			quoteIdent(t) + " FOR EACH ROW EXECUTE PROCEDURE sync_tags();"
	}
	return sql
}
