package conf

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// validator runs Kong's custom validations (kong/conf_loader/parse.lua
// check_and_parse and the checks after it in init.lua) over typed values.
// Like Kong it also fills in derived values, e.g. the ciphers of
// ssl_cipher_suite.
type validator struct {
	props
	errs     Errors
	warnings []string
}

// validate runs every check, in Kong's order.
func (v *validator) validate() {
	v.checkTrustedCertificates()
	v.checkPortMaps()
	v.checkListenerCerts()
	v.checkClientSSL()
	v.checkAdminGUIPath()
	v.checkCipherSuite()
	v.checkDHParam()
	v.checkDNS()
	if _, ok := v.str("lua_package_cpath"); !ok {
		v.props["lua_package_cpath"] = ""
	}
	v.checkPostgres()
	if n, ok := v.num("worker_state_update_frequency"); ok && n <= 0 {
		v.errs.add("worker_state_update_frequency", "worker_state_update_frequency must be greater than 0")
	}
	v.checkProxyServer()
	v.checkRole()
	v.checkLimits()
	v.checkTracing()
	v.checkMisc()
}

// set stores a derived value; nil unsets the property.
func (v *validator) set(k string, val any) {
	if val == nil {
		delete(v.props, k)
		return
	}
	v.props[k] = val
}

// checkPortMaps validates "host_port:kong_port" entries.
func (v *validator) checkPortMaps() {
	for _, m := range v.list("port_maps") {
		host, kong, ok := strings.Cut(m, ":")
		if !ok || !validPort(host) || !validPort(kong) {
			v.errs.add("port_maps", "invalid port mapping (`port_maps`): %s", m)
		}
	}
}

// validPort accepts 1 to 65535.
func validPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 65535
}

// checkAdminGUIPath applies Kong's four admin_gui_path rules.
func (v *validator) checkAdminGUIPath() {
	p, ok := v.str("admin_gui_path")
	if !ok {
		return
	}
	if !strings.HasPrefix(p, "/") {
		v.errs.add("admin_gui_path", "admin_gui_path must start with a slash ('/')")
	}
	if len(p) > 2 && strings.HasPrefix(p, "/") && strings.HasSuffix(p, "/") {
		v.errs.add("admin_gui_path", "admin_gui_path must not end with a slash ('/')")
	}
	if strings.ContainsFunc(p, func(r rune) bool {
		return !(r < 0x80 && (isAlnum(byte(r)) || r == '-' || r == '_' || r == '/'))
	}) {
		v.errs.add("admin_gui_path", "admin_gui_path can only contain letters, digits, hyphens ('-'), underscores ('_'), and slashes ('/')")
	}
	if strings.Contains(p, "//") {
		v.errs.add("admin_gui_path", "admin_gui_path must not contain continuous slashes ('/')")
	}
}

// checkDNS validates the legacy and the new DNS client settings.
func (v *validator) checkDNS() {
	for _, pair := range [][2]string{{"dns_resolver", "dns_hostsfile"}, {"resolver_address", "resolver_hosts_file"}} {
		for _, s := range v.list(pair[0]) {
			if !validResolver(s) {
				v.errs.add(pair[0], "%s must be a comma separated list in the form of IPv4/6 or IPv4/6:port, got '%s'", pair[0], s)
			}
		}
		if f, ok := v.str(pair[1]); ok && !isFile(f) {
			v.errs.add(pair[1], "%s: file does not exist", pair[1])
		}
	}
	for _, name := range v.list("dns_order") {
		if !slices.Contains([]string{"LAST", "A", "AAAA", "CNAME", "SRV"}, strings.ToUpper(name)) {
			v.errs.add("dns_order", "dns_order: invalid entry '%s'", name)
		}
	}
	for _, name := range v.list("resolver_family") {
		if !slices.Contains([]string{"A", "AAAA", "SRV"}, strings.ToUpper(name)) {
			v.errs.add("resolver_family", "resolver_family: invalid entry '%s'", name)
		}
	}
}

// checkPostgres applies Kong's checks to the pool and queue numbers of
// pg_* and pg_ro_*.
func (v *validator) checkPostgres() {
	for _, k := range []string{
		"pg_max_concurrent_queries", "pg_semaphore_timeout", "pg_keepalive_timeout", "pg_pool_size", "pg_backlog",
		"pg_ro_max_concurrent_queries", "pg_ro_semaphore_timeout", "pg_ro_keepalive_timeout", "pg_ro_pool_size", "pg_ro_backlog",
	} {
		n, ok := v.num(k)
		if !ok {
			continue
		}
		if n < 0 {
			v.errs.add(k, "%s must be greater than 0", k)
		}
		if n != math.Floor(n) {
			v.errs.add(k, "%s must be an integer greater than 0", k)
		}
	}
}

// checkLimits validates the keepalive and header/argument limits.
func (v *validator) checkLimits() {
	if n, ok := v.num("cluster_data_plane_purge_delay"); ok && n < 60 {
		v.errs.add("cluster_data_plane_purge_delay", "cluster_data_plane_purge_delay must be 60 or greater")
	}
	if n, ok := v.num("cluster_max_payload"); ok && n < 4194304 {
		v.errs.add("cluster_max_payload", "cluster_max_payload must be 4194304 (4MB) or greater")
	}
	for _, k := range []string{"upstream_keepalive_pool_size", "upstream_keepalive_max_requests", "upstream_keepalive_idle_timeout"} {
		if n, ok := v.num(k); ok && n < 0 {
			v.errs.add(k, "%s must be 0 or greater", k)
		}
	}
	for _, k := range []string{"lua_max_req_headers", "lua_max_resp_headers", "lua_max_uri_args", "lua_max_post_args"} {
		if n, ok := v.num(k); ok && (n < 1 || n > 1000 || n != math.Floor(n)) {
			v.errs.add(k, "%s must be an integer between 1 and 1000", k)
		}
	}
}

// tracingTypes are the accepted tracing_instrumentations (Kong 3.9's
// instrumentation.available_types plus all, off and request).
var tracingTypes = []string{
	"db_query", "router", "create_span", "balancer", "plugin_rewrite", "plugin_access",
	"plugin_header_filter", "http_client", "dns_query", "all", "off", "request",
}

// checkTracing validates tracing_instrumentations and tracing_sampling_rate.
func (v *validator) checkTracing() {
	types := v.list("tracing_instrumentations")
	if len(types) == 0 {
		return
	}
	for _, t := range types {
		if !slices.Contains(tracingTypes, t) {
			v.errs.add("tracing_instrumentations", "invalid tracing type: %s", t)
		}
	}
	if len(types) > 1 && slices.Contains(types, "off") {
		v.errs.add("tracing_instrumentations", "invalid tracing types: off, other types are mutually exclusive")
	}
	if r, ok := v.num("tracing_sampling_rate"); ok && (r < 0 || r > 1) {
		v.errs.add("tracing_sampling_rate", "tracing_sampling_rate must be between 0 and 1")
	}
}

// defaultPluginServerPath is where Kong looks for plugin server binaries.
const defaultPluginServerPath = "/usr/local/bin"

// checkMisc holds the remaining checks: node_id, cassandra, wasm, the
// Admin GUI warning, plugin servers and incremental sync.
func (v *validator) checkMisc() {
	if id, ok := v.str("node_id"); ok && !validUUID(id) {
		v.errs.add("node_id", "node_id must be a valid UUID")
	}
	if db, _ := v.str("database"); db == "cassandra" {
		v.errs.add("database", "Cassandra as a datastore for Kong is not supported in versions 3.4 and above. Please use Postgres.")
	}
	if p, ok := v.str("wasm_filters_path"); ok && v.flag("wasm") && !exists(p) {
		v.errs.add("wasm_filters_path", "wasm_filters_path '%s' is not a valid directory", p)
	}
	if !listening(v.list("admin_listen")) && listening(v.list("admin_gui_listen")) {
		v.warnings = append(v.warnings, "Kong Manager won't be functional because the Admin API is not listened on any interface")
	}
	for _, name := range v.list("pluginserver_names") {
		name = strings.ToLower(name)
		key := "pluginserver_" + strings.ReplaceAll(name, "-", "_")
		_, query := v.str(key + "_query_cmd")
		_, start := v.str(key + "_start_cmd")
		if exists(defaultPluginServerPath + "/" + name) {
			query, start = true, true
		}
		if !query {
			v.errs.add("pluginserver_names", "query_command undefined for pluginserver %s", name)
		} else if !start {
			v.warnings = append(v.warnings, fmt.Sprintf("start_command undefined for pluginserver %s; assuming external process management", name))
		}
	}
	if v.flag("cluster_incremental_sync") && !v.flag("cluster_rpc") {
		v.warnings = append(v.warnings, "Cluster incremental sync has been forcibly disabled, please enable cluster RPC.")
		v.props["cluster_incremental_sync"] = false
	}
}

// listening reports whether a *_listen list enables anything.
func listening(entries []string) bool {
	return len(entries) > 0 && strings.Trim(entries[0], luaSpace) != "off"
}

// validUUID is Kong's is_valid_uuid: 36 characters, 8-4-4-4-12 hex digits,
// any case.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// exists reports whether a file system entry exists at path (Penlight's
// path.exists).
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// isFile reports whether path is a regular file (Penlight's path.isfile).
func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
