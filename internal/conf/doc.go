// Package conf loads Silverback's configuration the way Kong Gateway 3.9
// loads kong.conf (kong/conf_loader, kong/templates/kong_defaults.lua).
//
// A configuration is built from three layers, each overriding the one
// before: the built-in defaults, a kong.conf file, and KONG_<PROPERTY>
// environment variables (property names upper-cased, e.g. KONG_PG_HOST).
// LoadOverrides adds a fourth for command-line flags such as --prefix.
// Every value is then typed as Kong types it (strings, numbers, booleans,
// comma-separated arrays), validated with Kong's messages, all problems
// reported at once, and turned into a typed Config.
//
// One table (defaults.go) declares every property: name, type, default,
// accepted values, whether it is sensitive. It holds every key of Kong's
// kong_defaults.lua, so any kong.conf Kong accepts loads here too; keys
// under nginx_http_*, nginx_proxy_* and Kong's other dynamic prefixes are
// accepted as free-form strings. Silverback differs in one property:
// database accepts sqlite, its default, besides postgres and off.
//
// The loaded Config is read-only. Its typed fields are what the gateway
// uses; Settings is every property with sensitive values masked (the Admin
// API's GET / configuration); WriteEnv and LoadEnv keep the effective
// configuration in <prefix>/.kong_env for the CLI's stop, quit and health.
//
//	cfg, err := conf.Load(path, os.Environ())
//	var errs conf.Errors
//	if errors.As(err, &errs) {
//		for _, e := range errs {
//			fmt.Fprintln(os.Stderr, e.Message) // e.g. "log_level has an invalid value: 'loud' (debug, ...)"
//		}
//	}
//	for _, l := range cfg.ProxyListen {
//		ln, err := net.Listen("tcp", l.Addr())
//		...
//	}
package conf
