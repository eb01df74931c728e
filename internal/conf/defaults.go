package conf

// properties is every property of Kong 3.9's kong/templates/kong_defaults.lua,
// in its order, typed as kong/conf_loader/constants.lua types it. Silverback
// differs in three places: database also accepts sqlite, its default;
// debug_listen (not in Kong) serves Go's pprof profiles; and
// proxy_http1_engine (not in Kong) picks the proxy's HTTP/1.x server.
var properties = []Property{
	str("prefix", "/usr/local/kong/"),
	enum("log_level", "notice", "debug", "info", "notice", "warn", "error", "crit", "alert", "emerg"),
	str("proxy_access_log", "logs/access.log"),
	str("proxy_error_log", "logs/error.log"),
	str("proxy_stream_access_log", "logs/access.log basic"),
	str("proxy_stream_error_log", "logs/error.log"),
	str("admin_access_log", "logs/admin_access.log"),
	str("admin_error_log", "logs/error.log"),
	str("admin_gui_access_log", "logs/admin_gui_access.log"),
	str("admin_gui_error_log", "logs/admin_gui_error.log"),
	str("status_access_log", "off"),
	str("status_error_log", "logs/status_error.log"),
	arr("vaults", "bundled"),
	arr("plugins", "bundled"),
	arr("port_maps", none),
	str("host_ports", none),
	boolean("anonymous_reports", "on"),
	str("proxy_server", none).secret(),
	boolean("proxy_server_ssl_verify", "on"),
	str("error_template_html", none),
	str("error_template_json", none),
	str("error_template_xml", none),
	str("error_template_plain", none),
	str("node_id", none),

	arr("proxy_listen", "0.0.0.0:8000 reuseport backlog=16384, 0.0.0.0:8443 http2 ssl reuseport backlog=16384"),
	arr("stream_listen", "off"),
	arr("admin_listen", "127.0.0.1:8001 reuseport backlog=16384, 127.0.0.1:8444 http2 ssl reuseport backlog=16384"),
	arr("admin_gui_listen", "0.0.0.0:8002, 0.0.0.0:8445 ssl"),
	arr("status_listen", "127.0.0.1:8007 reuseport backlog=16384"),
	arr("debug_listen", "off"), // Silverback: net/http/pprof, see DebugListen
	arr("cluster_listen", "0.0.0.0:8005"),
	str("cluster_control_plane", "127.0.0.1:8005"),
	str("cluster_cert", none),
	str("cluster_cert_key", none).secret(),
	enum("cluster_mtls", "shared", "shared", "pki"),
	str("cluster_ca_cert", none),
	str("cluster_server_name", none),
	num("cluster_data_plane_purge_delay", "1209600"),
	enum("cluster_ocsp", "off", "on", "off", "optional"),
	num("cluster_max_payload", "16777216"),
	boolean("cluster_use_proxy", "off"),
	arr("cluster_dp_labels", none),
	boolean("cluster_rpc", "off"),
	boolean("cluster_incremental_sync", "off"),
	boolean("cluster_cjson", "off"),

	str("lmdb_environment_path", "dbless.lmdb"),
	str("lmdb_map_size", "2048m"),
	str("mem_cache_size", "128m"),
	num("worker_events_max_payload", "65535"),
	arr("ssl_cert", none),
	arr("ssl_cert_key", none).secret(),
	boolean("client_ssl", "off"),
	str("client_ssl_cert", none),
	str("client_ssl_cert_key", none).secret(),
	str("ssl_cipher_suite", "intermediate"),
	str("ssl_ciphers", none),
	str("ssl_protocols", "TLSv1.2 TLSv1.3").directives("nginx_http_ssl_protocols", "nginx_stream_ssl_protocols"),
	ngxBoolean("ssl_prefer_server_ciphers", "on").directives("nginx_http_ssl_prefer_server_ciphers", "nginx_stream_ssl_prefer_server_ciphers"),
	str("ssl_dhparam", none).directives("nginx_http_ssl_dhparam", "nginx_stream_ssl_dhparam"),
	ngxBoolean("ssl_session_tickets", "on").directives("nginx_http_ssl_session_tickets", "nginx_stream_ssl_session_tickets"),
	str("ssl_session_timeout", "1d").directives("nginx_http_ssl_session_timeout", "nginx_stream_ssl_session_timeout"),
	str("ssl_session_cache_size", "10m"),
	arr("admin_ssl_cert", none),
	arr("admin_ssl_cert_key", none).secret(),
	arr("admin_gui_ssl_cert", none),
	arr("admin_gui_ssl_cert_key", none).secret(),
	arr("status_ssl_cert", none),
	arr("status_ssl_cert_key", none).secret(),
	arr("headers", "server_tokens, latency_tokens, x-kong-request-id"),
	arr("headers_upstream", "x-kong-request-id"),
	arr("trusted_ips", none),
	enum("error_default_type", "text/plain", "application/json", "application/xml", "text/html", "text/plain"),
	num("upstream_keepalive_pool_size", "512"),
	num("upstream_keepalive_max_requests", "10000"),
	num("upstream_keepalive_idle_timeout", "60"),
	boolean("allow_debug_header", "off"),

	str("nginx_user", "kong kong").alias("nginx_main_user"),
	str("nginx_worker_processes", "auto").alias("nginx_main_worker_processes"),
	ngxBoolean("nginx_daemon", "on").alias("nginx_main_daemon"),
	str("nginx_main_daemon", "on"),
	str("nginx_main_user", "kong kong"),
	str("nginx_main_worker_processes", "auto"),
	str("nginx_main_worker_rlimit_nofile", "auto"),
	str("nginx_events_worker_connections", "auto"),
	str("nginx_events_multi_accept", "on"),
	str("nginx_http_charset", "UTF-8"),
	str("nginx_http_client_max_body_size", "0"),
	str("nginx_http_client_body_buffer_size", "8k"),
	str("nginx_http_ssl_protocols", none),
	str("nginx_http_ssl_prefer_server_ciphers", none),
	str("nginx_http_ssl_dhparam", none),
	str("nginx_http_ssl_session_tickets", none),
	str("nginx_http_ssl_session_timeout", none),
	str("nginx_http_ssl_conf_command", none),
	str("nginx_http_proxy_ssl_conf_command", none),
	str("nginx_http_lua_ssl_conf_command", none),
	str("nginx_http_grpc_ssl_conf_command", none),
	str("nginx_http_lua_regex_match_limit", "100000"),
	str("nginx_http_lua_regex_cache_max_entries", "8192"),
	str("nginx_http_keepalive_requests", "10000"),
	str("nginx_stream_ssl_conf_command", none),
	str("nginx_stream_proxy_ssl_conf_command", none),
	str("nginx_stream_lua_ssl_conf_command", none),
	str("nginx_stream_ssl_protocols", none),
	str("nginx_stream_ssl_prefer_server_ciphers", none),
	str("nginx_stream_ssl_dhparam", none),
	str("nginx_stream_ssl_session_tickets", none),
	str("nginx_stream_ssl_session_timeout", none),
	str("nginx_proxy_real_ip_header", "X-Real-IP"),
	str("nginx_proxy_real_ip_recursive", "off"),
	str("nginx_admin_client_max_body_size", "10m"),
	str("nginx_admin_client_body_buffer_size", "10m"),

	str("client_body_buffer_size", "8k"),
	str("real_ip_header", "X-Real-IP").alias("nginx_proxy_real_ip_header"),
	ngxBoolean("real_ip_recursive", "off").alias("nginx_proxy_real_ip_recursive"),

	enum("database", "sqlite", "sqlite", "postgres", "cassandra", "off"),
	// Silverback's: the HTTP/1.x server of the proxy listeners.
	enum("proxy_http1_engine", "native", "native", "nethttp"),

	str("pg_host", "127.0.0.1"),
	num("pg_port", "5432"),
	str("pg_database", "kong"),
	str("pg_schema", none),
	num("pg_timeout", "5000"),
	str("pg_user", "kong"),
	str("pg_password", none).secret(),
	boolean("pg_ssl", "off"),
	boolean("pg_ssl_verify", "off"),
	num("pg_max_concurrent_queries", "0"),
	num("pg_semaphore_timeout", "60000"),
	num("pg_keepalive_timeout", none),
	num("pg_pool_size", none),
	num("pg_backlog", none),
	num("_debug_pg_ttl_cleanup_interval", "300"),

	str("pg_ro_host", none),
	num("pg_ro_port", none),
	str("pg_ro_database", none),
	str("pg_ro_schema", none),
	num("pg_ro_timeout", none),
	str("pg_ro_user", none),
	str("pg_ro_password", none).secret(),
	boolean("pg_ro_ssl", none),
	boolean("pg_ro_ssl_verify", none),
	num("pg_ro_max_concurrent_queries", none),
	num("pg_ro_semaphore_timeout", none),
	num("pg_ro_keepalive_timeout", none),
	num("pg_ro_pool_size", none),
	num("pg_ro_backlog", none),

	str("declarative_config", none),
	str("declarative_config_string", none).secret(),

	num("db_update_frequency", "5"),
	num("db_update_propagation", "0"),
	num("db_cache_ttl", "0"),
	num("db_cache_neg_ttl", none),
	num("db_resurrect_ttl", "30"),
	arr("db_cache_warmup_entities", "services"),

	arr("dns_resolver", none),
	str("dns_hostsfile", "/etc/hosts"),
	arr("dns_order", "LAST,SRV,A,CNAME"),
	num("dns_valid_ttl", none),
	num("dns_stale_ttl", "3600"),
	num("dns_cache_size", "10000"),
	num("dns_not_found_ttl", "30"),
	num("dns_error_ttl", "1"),
	boolean("dns_no_sync", "off"),

	boolean("new_dns_client", "off"),

	arr("resolver_address", none),
	str("resolver_hosts_file", "/etc/hosts"),
	arr("resolver_family", "A,SRV"),
	num("resolver_valid_ttl", none),
	num("resolver_stale_ttl", "3600"),
	num("resolver_lru_cache_size", "10000"),
	str("resolver_mem_cache_size", "5m"),
	num("resolver_error_ttl", "1"),

	boolean("dedicated_config_processing", "on"),
	enum("worker_consistency", "eventual", "strict", "eventual"),
	num("worker_state_update_frequency", "5"),

	enum("router_flavor", "traditional_compatible", "traditional", "traditional_compatible", "expressions"),

	num("lua_socket_pool_size", "256"),
	arr("lua_ssl_trusted_certificate", "system"),
	num("lua_ssl_verify_depth", "1"),
	str("lua_ssl_protocols", "TLSv1.2 TLSv1.3").directives("nginx_http_lua_ssl_protocols", "nginx_stream_lua_ssl_protocols"),
	str("lua_package_path", "./?.lua;./?/init.lua;"),
	str("lua_package_cpath", none),

	num("lua_max_req_headers", "100"),
	num("lua_max_resp_headers", "100"),
	num("lua_max_uri_args", "100"),
	num("lua_max_post_args", "100"),

	enum("role", "traditional", "data_plane", "control_plane", "traditional"),
	boolean("kic", "off"),
	arr("pluginserver_names", none),

	enum("untrusted_lua", "sandbox", "on", "off", "sandbox"),
	arr("untrusted_lua_sandbox_requires", ""),
	arr("untrusted_lua_sandbox_environment", ""),

	arr("admin_gui_url", ""),
	str("admin_gui_path", "/"),
	str("admin_gui_api_url", none),

	str("openresty_path", ""),

	arr("opentelemetry_tracing", "off").alias("tracing_instrumentations").
		deprecated("the 'opentelemetry_tracing' configuration property is deprecated, use 'tracing_instrumentations' instead"),
	num("opentelemetry_tracing_sampling_rate", "0.01").alias("tracing_sampling_rate").
		deprecated("the 'opentelemetry_tracing_sampling_rate' configuration property is deprecated, use 'tracing_sampling_rate' instead"),
	arr("tracing_instrumentations", "off"),
	num("tracing_sampling_rate", "0.01"),

	boolean("wasm", "off"),
	str("wasm_filters_path", none),
	str("wasm_dynamic_module", none),
	arr("wasm_filters", "bundled,user"),

	boolean("request_debug", "on"),
	str("request_debug_token", ""),
}

func str(name, def string) Property { return Property{Name: name, Type: String, Default: def} }
func num(name, def string) Property { return Property{Name: name, Type: Number, Default: def} }
func arr(name, def string) Property { return Property{Name: name, Type: Array, Default: def} }

func boolean(name, def string) Property {
	return Property{Name: name, Type: Boolean, Default: def}
}

func ngxBoolean(name, def string) Property {
	return Property{Name: name, Type: NgxBoolean, Default: def}
}

func enum(name, def string, values ...string) Property {
	return Property{Name: name, Type: String, Default: def, Enum: values}
}

func (p Property) secret() Property { p.Sensitive = true; return p }

func (p Property) alias(to string) Property { p.Alias = to; return p }

func (p Property) deprecated(warning string) Property { p.Deprecated = warning; return p }

func (p Property) directives(keys ...string) Property { p.Directives = keys; return p }
