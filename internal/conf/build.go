package conf

import (
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// builder reads typed values into Config fields; unset values read as zero.
type builder struct {
	props
	errs Errors
}

func (b *builder) text(k string) string    { s, _ := b.str(k); return s }
func (b *builder) number(k string) float64 { n, _ := b.num(k); return n }
func (b *builder) integer(k string) int    { return int(b.number(k)) }
func (b *builder) on(k string) bool        { return b.text(k) == "on" }
func (b *builder) secs(k string) time.Duration {
	return time.Duration(b.number(k) * float64(time.Second))
}

// size parses an nginx size property; unset is 0.
func (b *builder) size(k string) int64 {
	s, ok := b.props[k].(string)
	if !ok {
		return 0
	}
	n, err := ParseSize(s)
	if err != nil {
		b.errs.add(k, "%s is not a size: '%s'", k, s)
	}
	return n
}

// listeners parses a *_listen property.
func (b *builder) listeners(k string, flags []listenFlag) []Listener {
	l, err := parseListeners(k, b.list(k), flags)
	if err != nil {
		b.errs = append(b.errs, err)
	}
	return l
}

// newConfig builds the typed Config from validated values; what only the
// typed form can check (listen syntax, headers, trusted_ips, sizes) is
// reported here.
func newConfig(values props) (*Config, Errors) {
	b := &builder{props: values}
	c := &Config{values: values}

	c.Prefix = b.prefix()
	c.LogLevel, c.Database, c.Role = b.text("log_level"), b.text("database"), b.text("role")
	c.NodeID = b.text("node_id")

	c.ProxyListen = b.listeners("proxy_listen", httpFlags)
	c.ProxyHTTP1Engine = b.text("proxy_http1_engine")
	c.StreamListen = b.listeners("stream_listen", streamFlags)
	c.StreamHalfClose = b.on("nginx_sproxy_proxy_half_close")
	c.AdminListen = b.listeners("admin_listen", httpFlags)
	c.AdminGUIListen = b.listeners("admin_gui_listen", httpFlags)
	c.StatusListen = b.listeners("status_listen", httpFlags)
	c.DebugListen = b.listeners("debug_listen", nil)
	c.ClusterListen = b.listeners("cluster_listen", httpFlags)
	c.Logs = b.logs(c.Prefix)

	c.Plugins, c.Vaults = b.list("plugins"), b.list("vaults")
	c.PortMaps = b.portMaps()

	var errs Errors
	c.Headers, errs = parseHeaders("headers", b.list("headers"), headerTokens)
	b.errs = append(b.errs, errs...)
	c.HeadersUpstream, errs = parseHeaders("headers_upstream", b.list("headers_upstream"), upstreamHeaderTokens)
	b.errs = append(b.errs, errs...)
	c.TrustedIPs, errs = parseTrustedIPs(b.list("trusted_ips"))
	b.errs = append(b.errs, errs...)
	c.RealIPHeader = b.text("nginx_proxy_real_ip_header")
	c.RealIPRecursive = b.on("nginx_proxy_real_ip_recursive")
	c.ErrorDefaultType = b.text("error_default_type")
	c.ErrorTemplates = ErrorTemplates{
		HTML: b.text("error_template_html"), JSON: b.text("error_template_json"),
		XML: b.text("error_template_xml"), Plain: b.text("error_template_plain"),
	}
	c.AllowDebugHeader = b.flag("allow_debug_header")

	c.ProxyMaxBodySize = b.size("nginx_http_client_max_body_size")
	c.ProxyBodyBufferSize = b.size("nginx_http_client_body_buffer_size")
	c.AdminMaxBodySize = b.size("nginx_admin_client_max_body_size")
	c.AdminBodyBufferSize = b.size("nginx_admin_client_body_buffer_size")
	c.MemCacheSize = b.size("mem_cache_size")

	c.DeclarativeConfig = b.text("declarative_config")
	c.DeclarativeConfigString = b.text("declarative_config_string")
	c.RouterFlavor = b.text("router_flavor")
	c.WorkerConsistency = b.text("worker_consistency")
	c.WorkerStateUpdateFrequency = b.secs("worker_state_update_frequency")

	c.DBUpdateFrequency = b.secs("db_update_frequency")
	c.DBUpdatePropagation = b.secs("db_update_propagation")
	c.DBCacheTTL = b.secs("db_cache_ttl")
	c.DBCacheNegTTL = c.DBCacheTTL
	if _, ok := values["db_cache_neg_ttl"]; ok {
		c.DBCacheNegTTL = b.secs("db_cache_neg_ttl")
	}
	c.DBResurrectTTL = b.secs("db_resurrect_ttl")
	c.DBCacheWarmupEntities = b.list("db_cache_warmup_entities")

	c.PG = b.pg("pg_", PG{})
	if _, ok := values["pg_ro_host"]; ok {
		ro := b.pg("pg_ro_", c.PG)
		c.PGRO = &ro
	}

	b.tls(c)
	c.UpstreamKeepalivePoolSize = b.integer("upstream_keepalive_pool_size")
	c.UpstreamKeepaliveMaxRequests = b.integer("upstream_keepalive_max_requests")
	c.UpstreamKeepaliveIdleTimeout = b.secs("upstream_keepalive_idle_timeout")
	c.LuaMaxReqHeaders = b.integer("lua_max_req_headers")
	c.LuaMaxRespHeaders = b.integer("lua_max_resp_headers")
	c.LuaMaxURIArgs = b.integer("lua_max_uri_args")
	c.LuaMaxPostArgs = b.integer("lua_max_post_args")

	c.DNS = b.dns()
	c.Cluster = b.cluster()

	c.UntrustedLua = b.text("untrusted_lua")
	c.ProxyServer = b.text("proxy_server")
	c.ProxyServerSSLVerify = b.flag("proxy_server_ssl_verify")
	c.TracingInstrumentations = b.list("tracing_instrumentations")
	c.TracingSamplingRate = b.number("tracing_sampling_rate")
	return c, b.errs
}

// prefix makes the prefix absolute, in the property too (as Kong does).
func (b *builder) prefix() string {
	p := b.text("prefix")
	if p == "" {
		b.errs.add("prefix", "prefix must be specified")
		return ""
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		b.errs.add("prefix", "prefix is invalid: %s", err)
		return ""
	}
	b.props["prefix"] = abs
	return abs
}

// portMaps reads port_maps, already validated, by Silverback port.
func (b *builder) portMaps() map[int]int {
	m := map[int]int{}
	for _, pm := range b.list("port_maps") {
		host, own, _ := strings.Cut(pm, ":")
		h, _ := strconv.Atoi(host)
		o, _ := strconv.Atoi(own)
		m[o] = h
	}
	return m
}

// logs resolves the log properties against the prefix.
func (b *builder) logs(prefix string) Logs {
	access := func(k string) AccessLog {
		path, format, _ := strings.Cut(b.text(k), " ")
		return AccessLog{Path: logPath(prefix, path), Format: strings.Trim(format, luaSpace)}
	}
	errorLog := func(k string) string { return logPath(prefix, b.text(k)) }
	return Logs{
		ProxyAccess: access("proxy_access_log"), ProxyError: errorLog("proxy_error_log"),
		ProxyStreamAccess: access("proxy_stream_access_log"), ProxyStreamError: errorLog("proxy_stream_error_log"),
		AdminAccess: access("admin_access_log"), AdminError: errorLog("admin_error_log"),
		AdminGUIAccess: access("admin_gui_access_log"), AdminGUIError: errorLog("admin_gui_error_log"),
		StatusAccess: access("status_access_log"), StatusError: errorLog("status_error_log"),
	}
}

// logPath resolves a log destination: "off" and "" disable it, relative
// paths are under the prefix, absolute paths and syslog: targets are kept.
func logPath(prefix, p string) string {
	switch {
	case p == "" || p == "off":
		return ""
	case filepath.IsAbs(p) || strings.HasPrefix(p, "syslog:"):
		return p
	default:
		return filepath.Join(prefix, p)
	}
}

// pg reads the pg_ or pg_ro_ settings; unset ones keep base's value
// (except the booleans, which are always read).
func (b *builder) pg(p string, base PG) PG {
	setStr := func(dst *string, k string) {
		if s, ok := b.props[p+k].(string); ok {
			*dst = s
		}
	}
	setInt := func(dst *int, k string) {
		if _, ok := b.props[p+k]; ok {
			*dst = b.integer(p + k)
		}
	}
	setMs := func(dst *time.Duration, k string, unit time.Duration) {
		if n, ok := b.props[p+k].(float64); ok {
			*dst = time.Duration(n * float64(unit))
		}
	}
	g := base
	setStr(&g.Host, "host")
	setInt(&g.Port, "port")
	setStr(&g.Database, "database")
	setStr(&g.Schema, "schema")
	setStr(&g.User, "user")
	setStr(&g.Password, "password")
	setMs(&g.Timeout, "timeout", time.Millisecond)
	g.SSL, g.SSLVerify = b.flag(p+"ssl"), b.flag(p+"ssl_verify")
	setInt(&g.MaxConcurrentQueries, "max_concurrent_queries")
	setMs(&g.SemaphoreTimeout, "semaphore_timeout", time.Millisecond)
	setMs(&g.KeepaliveTimeout, "keepalive_timeout", time.Millisecond)
	setInt(&g.PoolSize, "pool_size")
	setInt(&g.Backlog, "backlog")
	return g
}

// tls reads the TLS settings.
func (b *builder) tls(c *Config) {
	c.SSLCipherSuite = b.text("ssl_cipher_suite")
	c.SSLCiphers = b.text("ssl_ciphers")
	c.SSLProtocols = strings.FieldsFunc(b.text("nginx_http_ssl_protocols"), isLuaSpace)
	c.SSLPreferServerCiphers = b.on("nginx_http_ssl_prefer_server_ciphers")
	c.SSLSessionTickets = b.text("nginx_http_ssl_session_tickets") != "off"
	certs := func(p string) Certs {
		return Certs{Cert: b.list(p + "ssl_cert"), Key: b.list(p + "ssl_cert_key")}
	}
	c.SSL, c.AdminSSL, c.AdminGUISSL, c.StatusSSL = certs(""), certs("admin_"), certs("admin_gui_"), certs("status_")
	c.ClientSSL = b.flag("client_ssl")
	c.ClientSSLCert, c.ClientSSLCertKey = b.text("client_ssl_cert"), b.text("client_ssl_cert_key")
	c.LuaSSLTrustedCertificate = b.list("lua_ssl_trusted_certificate")
	c.LuaSSLVerifyDepth = b.integer("lua_ssl_verify_depth")
	c.ProxySSL = b.upstreamSSL(proxyModule, c.Prefix)
	c.GRPCSSL = b.upstreamSSL(grpcModule, c.Prefix)
	c.StreamProxySSL = b.upstreamSSL(streamModule, c.Prefix)
}

// dns reads the DNS client settings.
func (b *builder) dns() DNS {
	return DNS{
		Resolver: b.list("dns_resolver"), Hostsfile: b.text("dns_hostsfile"), Order: b.list("dns_order"),
		ValidTTL: b.secs("dns_valid_ttl"), StaleTTL: b.secs("dns_stale_ttl"),
		NotFoundTTL: b.secs("dns_not_found_ttl"), ErrorTTL: b.secs("dns_error_ttl"),
		CacheSize: b.integer("dns_cache_size"), NoSync: b.flag("dns_no_sync"),

		NewClient: b.flag("new_dns_client"), ResolverAddress: b.list("resolver_address"),
		ResolverHostsFile: b.text("resolver_hosts_file"), ResolverFamily: b.list("resolver_family"),
		ResolverValidTTL: b.secs("resolver_valid_ttl"), ResolverStaleTTL: b.secs("resolver_stale_ttl"),
		ResolverErrorTTL: b.secs("resolver_error_ttl"), ResolverLRUCacheSize: b.integer("resolver_lru_cache_size"),
		ResolverMemCacheSize: b.size("resolver_mem_cache_size"),
	}
}

// cluster reads the hybrid mode settings.
func (b *builder) cluster() Cluster {
	return Cluster{
		ControlPlane: b.text("cluster_control_plane"), Cert: b.text("cluster_cert"),
		CertKey: b.text("cluster_cert_key"), MTLS: b.text("cluster_mtls"), CACert: b.text("cluster_ca_cert"),
		ServerName: b.text("cluster_server_name"), DataPlanePurgeDelay: b.secs("cluster_data_plane_purge_delay"),
		OCSP: b.text("cluster_ocsp"), MaxPayload: b.integer("cluster_max_payload"),
		UseProxy: b.flag("cluster_use_proxy"), DPLabels: b.list("cluster_dp_labels"),
		RPC: b.flag("cluster_rpc"), IncrementalSync: b.flag("cluster_incremental_sync"),
		CJSON: b.flag("cluster_cjson"),
	}
}
