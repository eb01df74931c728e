package conf

import (
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// cmpConfig compares typed fields only; the property values are tested
// through Property and Settings.
var cmpConfig = []cmp.Option{cmpopts.IgnoreUnexported(Config{}), cmpopts.EquateEmpty(), cmpopts.EquateComparable(netip.Prefix{})}

// loadString loads a configuration from kong.conf text, without files.
func loadString(t *testing.T, text string, environ ...string) (*Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kong.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(path, environ)
}

// mustLoad loads with overrides and fails the test on error.
func mustLoad(t *testing.T, overrides map[string]string, environ ...string) *Config {
	t.Helper()
	c, err := load(sources{environ: environ, overrides: overrides})
	if err != nil {
		t.Fatalf("load(%v): %v", overrides, err)
	}
	return c
}

// defaultConfig is the typed configuration with nothing set.
func defaultConfig() *Config {
	const prefix = "/usr/local/kong"
	http := func(host string, port int, ssl bool) Listener {
		return Listener{Host: host, Port: port, SSL: ssl, HTTP2: ssl, ReusePort: true, Backlog: 16384}
	}
	return &Config{
		Prefix: prefix, LogLevel: "notice", Database: "sqlite", Role: "traditional",
		ProxyHTTP1Engine: "native",
		ProxyListen:      []Listener{http("0.0.0.0", 8000, false), http("0.0.0.0", 8443, true)},
		StreamListen:     []Listener{},
		AdminListen:      []Listener{http("127.0.0.1", 8001, false), http("127.0.0.1", 8444, true)},
		AdminGUIListen:   []Listener{{Host: "0.0.0.0", Port: 8002}, {Host: "0.0.0.0", Port: 8445, SSL: true}},
		StatusListen:     []Listener{{Host: "127.0.0.1", Port: 8007, ReusePort: true, Backlog: 16384}},
		ClusterListen:    []Listener{{Host: "0.0.0.0", Port: 8005}},
		DebugListen:      []Listener{},
		Logs: Logs{
			ProxyAccess: AccessLog{Path: prefix + "/logs/access.log"}, ProxyError: prefix + "/logs/error.log",
			ProxyStreamAccess: AccessLog{Path: prefix + "/logs/access.log", Format: "basic"},
			ProxyStreamError:  prefix + "/logs/error.log",
			AdminAccess:       AccessLog{Path: prefix + "/logs/admin_access.log"}, AdminError: prefix + "/logs/error.log",
			AdminGUIAccess: AccessLog{Path: prefix + "/logs/admin_gui_access.log"},
			AdminGUIError:  prefix + "/logs/admin_gui_error.log",
			StatusError:    prefix + "/logs/status_error.log",
		},
		Plugins: []string{"bundled"}, Vaults: []string{"bundled"},
		Headers: Headers{Server: true, Via: true, ProxyLatency: true, ResponseLatency: true,
			AdminLatency: true, UpstreamLatency: true, RequestID: true},
		HeadersUpstream:     Headers{RequestID: true},
		RealIPHeader:        "X-Real-IP",
		ErrorDefaultType:    "text/plain",
		ProxyBodyBufferSize: 8 << 10, AdminMaxBodySize: 10 << 20, AdminBodyBufferSize: 10 << 20,
		MemCacheSize:               128 << 20,
		RouterFlavor:               "traditional_compatible",
		WorkerConsistency:          "eventual",
		WorkerStateUpdateFrequency: 5 * time.Second,
		DBUpdateFrequency:          5 * time.Second, DBResurrectTTL: 30 * time.Second,
		DBCacheWarmupEntities: []string{"services"},
		PG: PG{Host: "127.0.0.1", Port: 5432, Database: "kong", User: "kong", Timeout: 5 * time.Second,
			SemaphoreTimeout: time.Minute},
		SSLCipherSuite: "intermediate", SSLCiphers: ciphersIntermediate,
		SSLProtocols: []string{"TLSv1.2", "TLSv1.3"}, SSLSessionTickets: true,
		LuaSSLTrustedCertificate: []string{"system"}, LuaSSLVerifyDepth: 1,
		ProxySSL: UpstreamSSL{VerifyDepth: 1}, GRPCSSL: UpstreamSSL{VerifyDepth: 1}, StreamProxySSL: UpstreamSSL{VerifyDepth: 1},
		UpstreamKeepalivePoolSize: 512, UpstreamKeepaliveMaxRequests: 10000,
		UpstreamKeepaliveIdleTimeout: time.Minute,
		LuaMaxReqHeaders:             100, LuaMaxRespHeaders: 100, LuaMaxURIArgs: 100, LuaMaxPostArgs: 100,
		DNS: DNS{Hostsfile: "/etc/hosts", Order: []string{"LAST", "SRV", "A", "CNAME"},
			StaleTTL: time.Hour, NotFoundTTL: 30 * time.Second, ErrorTTL: time.Second, CacheSize: 10000,
			ResolverHostsFile: "/etc/hosts", ResolverFamily: []string{"A", "SRV"}, ResolverStaleTTL: time.Hour,
			ResolverErrorTTL: time.Second, ResolverLRUCacheSize: 10000, ResolverMemCacheSize: 5 << 20},
		Cluster: Cluster{ControlPlane: "127.0.0.1:8005", MTLS: "shared", DataPlanePurgeDelay: 14 * 24 * time.Hour,
			OCSP: "off", MaxPayload: 16777216},
		UntrustedLua: "sandbox", ProxyServerSSLVerify: true,
		TracingInstrumentations: []string{"off"}, TracingSamplingRate: 0.01,
	}
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	got := mustLoad(t, nil)
	if diff := cmp.Diff(defaultConfig(), got, cmpConfig...); diff != "" {
		t.Errorf("defaults mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadTestdataKongConf(t *testing.T) {
	t.Parallel()
	got, err := Load("testdata/kong.conf", nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	const prefix = "/var/run/silverback"
	want := defaultConfig()
	want.Path = "testdata/kong.conf"
	want.Prefix, want.LogLevel, want.Database = prefix, "info", "postgres"
	want.ProxyListen = []Listener{
		{Host: "0.0.0.0", Port: 80, ReusePort: true, Backlog: 4096},
		{Host: "::", Port: 443, HTTP2: true, SSL: true, ProxyProtocol: true, IPv6Only: "on"},
	}
	want.AdminListen = []Listener{{Host: "127.0.0.1", Port: 8001}, {Host: "127.0.0.1", Port: 8444, SSL: true}}
	want.StatusListen = []Listener{}
	want.StreamListen = []Listener{
		{Host: "0.0.0.0", Port: 5555, UDP: true, ReusePort: true},
		{Host: "0.0.0.0", Port: 5556, SSL: true, SoKeepalive: "30m::10"},
	}
	want.Logs.ProxyAccess = AccessLog{Path: prefix + "/logs/proxy.log", Format: "json_fmt"}
	want.Logs.ProxyError = "/dev/stderr"
	want.Logs.AdminAccess = AccessLog{}
	want.Logs.StatusAccess = AccessLog{Path: prefix + "/logs/status.log"}
	want.Logs.ProxyStreamAccess.Path = prefix + "/logs/access.log"
	want.Logs.ProxyStreamError = prefix + "/logs/error.log"
	want.Logs.AdminError = prefix + "/logs/error.log"
	want.Logs.AdminGUIAccess.Path = prefix + "/logs/admin_gui_access.log"
	want.Logs.AdminGUIError = prefix + "/logs/admin_gui_error.log"
	want.Logs.StatusError = prefix + "/logs/status_error.log"
	want.Plugins = []string{"bundled", "my-plugin"}
	want.PortMaps = map[int]int{8000: 80, 8443: 443}
	want.ErrorDefaultType = "application/json"
	want.ErrorTemplates.JSON = "/etc/silverback/error.json"
	want.SSL = Certs{
		Cert: []string{abs("testdata/certs/proxy.crt"), abs("testdata/certs/proxy-ecdsa.crt")},
		Key:  []string{abs("testdata/certs/proxy.key"), abs("testdata/certs/proxy-ecdsa.key")},
	}
	want.AdminSSL = Certs{Cert: []string{abs("testdata/certs/proxy.crt")}, Key: []string{abs("testdata/certs/proxy.key")}}
	want.SSLCipherSuite, want.SSLCiphers, want.SSLProtocols = "modern", "", []string{"TLSv1.3"}
	want.Headers = Headers{Server: true, Via: true, UpstreamStatus: true}
	want.HeadersUpstream = Headers{}
	want.TrustedIPs = TrustedIPs{Unix: true, Prefixes: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.1/32"),
		netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("fd00::/8"),
	}}
	want.RealIPHeader, want.RealIPRecursive = "X-Forwarded-For", true
	want.ProxyMaxBodySize, want.ProxyBodyBufferSize, want.AdminMaxBodySize = 16<<20, 16<<10, 1<<30
	want.UpstreamKeepalivePoolSize = 128
	want.UpstreamKeepaliveIdleTimeout = 30500 * time.Millisecond
	want.AllowDebugHeader = true
	want.LuaMaxReqHeaders = 200
	want.PG = PG{Host: "db.internal", Port: 6432, Database: "kong", User: "gateway", Password: "s3cr#t",
		Timeout: 2500 * time.Millisecond, SSL: true, SSLVerify: true, MaxConcurrentQueries: 16,
		SemaphoreTimeout: time.Minute, PoolSize: 32}
	ro := want.PG
	ro.Host, ro.User, ro.SSL, ro.SSLVerify = "replica.internal", "reader", false, false
	want.PGRO = &ro
	want.DBUpdateFrequency, want.DBUpdatePropagation = 2*time.Second, 500*time.Millisecond
	want.DBCacheTTL, want.DBCacheNegTTL, want.DBResurrectTTL = time.Hour, time.Hour, time.Minute
	want.RouterFlavor = "expressions"
	want.DNS.Resolver = []string{"10.0.0.2:53", "[fd00::2]:53"}
	want.DNS.Order = []string{"LAST", "A", "CNAME"}
	want.DNS.ValidTTL, want.DNS.NoSync = 2*time.Minute, true
	want.UntrustedLua = "off"
	want.TracingInstrumentations, want.TracingSamplingRate = []string{"request", "router"}, 0.25
	want.Unknown = []string{"not_a_kong_property"}
	if diff := cmp.Diff(want, got, cmpConfig...); diff != "" {
		t.Errorf("testdata/kong.conf mismatch (-want +got):\n%s", diff)
	}
	if v, _ := got.Property("nginx_http_lua_shared_dict"); v != "my_cache 5m" {
		t.Errorf("dynamic key nginx_http_lua_shared_dict = %v, want %q", v, "my_cache 5m")
	}
}

func TestLoadPrecedence(t *testing.T) {
	t.Parallel()
	file := "log_level = info\npg_host = file.example\npg_port = 1111\npg_user = fileuser\n"
	tests := []struct {
		name      string
		environ   []string
		overrides map[string]string
		check     func(*Config) (got, want any)
	}{
		{"file beats default", nil, nil, func(c *Config) (any, any) { return c.LogLevel, "info" }},
		{"default kept when not in file", nil, nil, func(c *Config) (any, any) { return c.PG.Database, "kong" }},
		{"env beats file", []string{"KONG_PG_HOST=env.example"}, nil, func(c *Config) (any, any) { return c.PG.Host, "env.example" }},
		{"env beats default", []string{"KONG_ROUTER_FLAVOR=expressions"}, nil, func(c *Config) (any, any) { return c.RouterFlavor, "expressions" }},
		{"empty env unsets", []string{"KONG_PG_USER="}, nil, func(c *Config) (any, any) { return c.PG.User, "" }},
		{"lower-case env ignored", []string{"kong_pg_host=x", "Kong_Pg_Host=y"}, nil, func(c *Config) (any, any) { return c.PG.Host, "file.example" }},
		{"first duplicate env wins", []string{"KONG_PG_PORT=2222", "KONG_PG_PORT=3333"}, nil, func(c *Config) (any, any) { return c.PG.Port, 2222 }},
		{"env naming no property ignored", []string{"KONG_ADMIN_URL=http://x", "KONG_FOO=1", "KONG_=1", "PG_HOST=x"}, nil,
			func(c *Config) (any, any) { return c.PG.Host, "file.example" }},
		{"env dynamic key", []string{"KONG_NGINX_HTTP_GZIP=on"}, nil, func(c *Config) (any, any) {
			v, _ := c.Property("nginx_http_gzip")
			return v, "on"
		}},
		{"env not comment-stripped", []string{"KONG_PG_PASSWORD=a#b \\#c"}, nil, func(c *Config) (any, any) { return c.PG.Password, "a#b \\#c" }},
		{"overrides beat env", []string{"KONG_PREFIX=/env"}, map[string]string{"prefix": "/flag"}, func(c *Config) (any, any) { return c.Prefix, "/flag" }},
		{"unknown override ignored", nil, map[string]string{"bogus": "1"}, func(c *Config) (any, any) {
			_, ok := c.Property("bogus")
			return ok, false
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "kong.conf")
			if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := LoadOverrides(path, tt.environ, tt.overrides)
			if err != nil {
				t.Fatalf("LoadOverrides: %v", err)
			}
			if got, want := tt.check(c); !cmp.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestLoadFiles(t *testing.T) {
	// Not parallel: swaps defaultPaths.
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first.conf"), filepath.Join(dir, "second.conf")
	if err := os.WriteFile(second, []byte("log_level = debug\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	saved := defaultPaths
	t.Cleanup(func() { defaultPaths = saved })

	defaultPaths = []string{first, second}
	c, err := Load("", nil)
	if err != nil || c.LogLevel != "debug" || c.Path != second {
		t.Errorf("Load(\"\") with %s present = %+v, %v; want log_level debug from it", second, c, err)
	}

	defaultPaths = []string{first}
	c, err = Load("", nil)
	if err != nil || c.LogLevel != "notice" || c.Path != "" {
		t.Errorf("Load(\"\") without files = %v; want defaults only", err)
	}

	missing := filepath.Join(dir, "missing.conf")
	_, err = Load(missing, nil)
	if err == nil || err.Error() != "no file at: "+missing || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) error = %v, want %q matching fs.ErrNotExist", err, "no file at: "+missing)
	}

	if _, err := Load(dir, nil); err == nil {
		t.Errorf("Load(directory) succeeded, want an error")
	}
}

func TestLoadAliases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		overrides map[string]string
		environ   []string
		key, want string
	}{
		{"real_ip_header sets the nginx directive", map[string]string{"real_ip_header": "X-Forwarded-For"}, nil,
			"nginx_proxy_real_ip_header", "X-Forwarded-For"},
		{"the directive set too wins", map[string]string{"real_ip_header": "A", "nginx_proxy_real_ip_header": "B"}, nil,
			"nginx_proxy_real_ip_header", "B"},
		{"alias from env, directive from overrides", map[string]string{"nginx_proxy_real_ip_header": "B"}, []string{"KONG_REAL_IP_HEADER=A"},
			"nginx_proxy_real_ip_header", "B"},
		{"directive alone leaves the alias default", map[string]string{"nginx_proxy_real_ip_header": "B"}, nil,
			"real_ip_header", "X-Real-IP"},
		{"nginx_user", map[string]string{"nginx_user": "www www"}, nil, "nginx_main_user", "www www"},
		{"nginx_daemon", map[string]string{"nginx_daemon": "off"}, nil, "nginx_main_daemon", "off"},
		{"nginx_worker_processes", map[string]string{"nginx_worker_processes": "4"}, nil, "nginx_main_worker_processes", "4"},
		{"real_ip_recursive", map[string]string{"real_ip_recursive": "on"}, nil, "nginx_proxy_real_ip_recursive", "on"},
		{"proxy_http1_engine from env", nil, []string{"KONG_PROXY_HTTP1_ENGINE=nethttp"}, "proxy_http1_engine", "nethttp"},
		{"ssl_protocols feeds both directives", map[string]string{"ssl_cipher_suite": "custom", "ssl_protocols": "TLSv1.3"}, nil,
			"nginx_stream_ssl_protocols", "TLSv1.3"},
		{"ssl_protocols beats a directive of the same layer", map[string]string{
			"ssl_cipher_suite": "custom", "ssl_protocols": "TLSv1.3", "nginx_http_ssl_protocols": "TLSv1.2"}, nil,
			"nginx_http_ssl_protocols", "TLSv1.3"},
		{"ssl_protocols in overrides beats the directive from env", map[string]string{
			"ssl_cipher_suite": "custom", "ssl_protocols": "TLSv1.3"}, []string{"KONG_NGINX_HTTP_SSL_PROTOCOLS=TLSv1.2"},
			"nginx_http_ssl_protocols", "TLSv1.3"},
		{"lua_ssl_protocols", map[string]string{"lua_ssl_protocols": "TLSv1.3"}, nil, "nginx_http_lua_ssl_protocols", "TLSv1.3"},
		{"cipher suite overrides the protocols", map[string]string{"ssl_protocols": "TLSv1.3"}, nil,
			"nginx_http_ssl_protocols", "TLSv1.2 TLSv1.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustLoad(t, tt.overrides, tt.environ...)
			if got, _ := c.Property(tt.key); got != tt.want {
				t.Errorf("%s = %v, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestLoadTypes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, value string
		want             any // nil: unset
		warns            bool
	}{
		{"integer", "pg_port", "6432", float64(6432), false},
		{"decimal", "db_update_propagation", "0.25", 0.25, false},
		{"exponent", "pg_timeout", "1e3", float64(1000), false},
		{"hex", "pg_timeout", "0x10", float64(16), false},
		{"negative hex", "db_cache_ttl", "-0X1f", float64(-31), false},
		{"empty number unsets", "pg_port", "", nil, false},
		{"boolean on", "pg_ssl", "on", true, false},
		{"boolean true", "pg_ssl", "true", true, false},
		{"boolean off", "anonymous_reports", "off", false, false},
		{"boolean false", "anonymous_reports", "false", false, false},
		{"empty boolean is false", "anonymous_reports", "", false, false},
		{"other boolean text is false with a warning", "anonymous_reports", "yes", false, true},
		{"boolean is case-sensitive", "pg_ssl", "ON", false, true},
		{"ngx_boolean on", "real_ip_recursive", "on", "on", false},
		{"ngx_boolean true is off", "real_ip_recursive", "true", "off", true},
		{"array trimmed", "plugins", " a ,b,  c ", []string{"a", "b", "c"}, false},
		{"empty array", "plugins", "", []string{}, false},
		{"single comma", "plugins", ",", []string{""}, false},
		{"trailing comma", "plugins", "a,", []string{"a", ""}, false},
		{"string trimmed", "pg_host", "  h  ", "h", false},
		{"empty string unsets", "pg_host", "", nil, false},
		{"NONE from the user is literal", "pg_schema", "NONE", "NONE", false},
		{"numbers stay text in strings", "pg_password", "0123", "0123", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustLoad(t, map[string]string{tt.key: tt.value})
			got, ok := c.values[tt.key]
			if tt.want == nil {
				if ok {
					t.Errorf("%s = %#v, want unset", tt.key, got)
				}
			} else if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s = %q mismatch (-want +got):\n%s", tt.key, tt.value, diff)
			}
			if (len(c.Warnings) > 0) != tt.warns {
				t.Errorf("warnings = %q, want some: %v", c.Warnings, tt.warns)
			}
		})
	}
}

func TestLoadWarnings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		overrides map[string]string
		want      []string
	}{
		{"none by default", nil, nil},
		{"opentelemetry_tracing", map[string]string{"opentelemetry_tracing": "request"},
			[]string{"the 'opentelemetry_tracing' configuration property is deprecated, use 'tracing_instrumentations' instead"}},
		{"opentelemetry_tracing_sampling_rate", map[string]string{"opentelemetry_tracing_sampling_rate": "0.5"},
			[]string{"the 'opentelemetry_tracing_sampling_rate' configuration property is deprecated, use 'tracing_sampling_rate' instead"}},
		{"worker_consistency strict", map[string]string{"worker_consistency": "strict"},
			[]string{"the configuration value 'strict' for configuration property 'worker_consistency' is deprecated"}},
		{"node_id", map[string]string{"node_id": "8b7de2ba-0477-4667-a811-8bca46073ca9"},
			[]string{"Manually specifying a `node_id` via configuration is deprecated as of 3.9 and will be removed in the 4.x."}},
		{"admin gui without admin api", map[string]string{"admin_listen": "off"},
			[]string{"Kong Manager won't be functional because the Admin API is not listened on any interface"}},
		{"incremental sync without rpc", map[string]string{"cluster_incremental_sync": "on"},
			[]string{"Cluster incremental sync has been forcibly disabled, please enable cluster RPC."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustLoad(t, tt.overrides)
			if diff := cmp.Diff(tt.want, c.Warnings, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("warnings mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadDerived(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, map[string]string{"opentelemetry_tracing": "all", "cluster_incremental_sync": "on", "prefix": "rel/dir"})
	if diff := cmp.Diff([]string{"all"}, c.TracingInstrumentations); diff != "" {
		t.Errorf("opentelemetry_tracing alias mismatch (-want +got):\n%s", diff)
	}
	if c.Cluster.IncrementalSync {
		t.Errorf("cluster_incremental_sync stayed on without cluster_rpc")
	}
	wd, _ := os.Getwd()
	if want := filepath.Join(wd, "rel/dir"); c.Prefix != want {
		t.Errorf("Prefix = %q, want %q", c.Prefix, want)
	}
	if v, _ := c.Property("prefix"); v != c.Prefix {
		t.Errorf("prefix property = %v, want the absolute %q", v, c.Prefix)
	}
	c = mustLoad(t, map[string]string{"db_cache_ttl": "10", "db_cache_neg_ttl": "0"})
	if c.DBCacheTTL != 10*time.Second || c.DBCacheNegTTL != 0 {
		t.Errorf("DBCacheTTL, DBCacheNegTTL = %v, %v; want 10s, 0", c.DBCacheTTL, c.DBCacheNegTTL)
	}
	c = mustLoad(t, map[string]string{"ssl_cipher_suite": "old"})
	if v, _ := c.Property("ssl_dhparam"); v != nil {
		t.Errorf("old suite set ssl_dhparam to %v, want it unset", v)
	}
	if !c.SSLPreferServerCiphers || len(c.SSLProtocols) != 4 {
		t.Errorf("old suite: prefer %v protocols %v", c.SSLPreferServerCiphers, c.SSLProtocols)
	}
	c = mustLoad(t, map[string]string{"ssl_cipher_suite": "custom", "ssl_ciphers": "HIGH", "ssl_protocols": "TLSv1.2"})
	if c.SSLCiphers != "HIGH" || !cmp.Equal(c.SSLProtocols, []string{"TLSv1.2"}) {
		t.Errorf("custom suite: ciphers %q protocols %v", c.SSLCiphers, c.SSLProtocols)
	}
}

func TestKongConfDefault(t *testing.T) {
	t.Parallel()
	text, err := os.ReadFile("testdata/kong.conf.default")
	if err != nil {
		t.Fatal(err)
	}
	// Uncomment every "#key = value" line.
	var uncommented []string
	seen := map[string]bool{}
	for _, line := range strings.Split(string(text), "\n") {
		key, _, ok := strings.Cut(strings.TrimPrefix(line, "#"), " =")
		if strings.HasPrefix(line, "#") && ok && variabilize(key) == key {
			seen[key] = true
			uncommented = append(uncommented, line[1:])
		}
	}
	for _, p := range Properties() {
		if !seen[p.Name] {
			t.Errorf("testdata/kong.conf.default lacks %s", p.Name)
		}
	}
	c, err := loadString(t, strings.Join(uncommented, "\n"))
	if err != nil {
		t.Fatalf("uncommented kong.conf.default: %v", err)
	}
	if diff := cmp.Diff(mustLoad(t, nil).Settings(), c.Settings()); diff != "" {
		t.Errorf("uncommented defaults differ from built-in defaults (-built-in +file):\n%s", diff)
	}
	if len(c.Unknown) > 0 {
		t.Errorf("unknown keys: %q", c.Unknown)
	}
}

func TestLoadDebugListen(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		overrides map[string]string
		environ   []string
		want      []Listener
	}{
		{"default off", nil, nil, []Listener{}},
		{"off", map[string]string{"debug_listen": "off"}, nil, []Listener{}},
		{"one address", map[string]string{"debug_listen": "127.0.0.1:8102"}, nil, []Listener{{Host: "127.0.0.1", Port: 8102}}},
		{"several", map[string]string{"debug_listen": "127.0.0.1:8102, [::1]:8103"}, nil,
			[]Listener{{Host: "127.0.0.1", Port: 8102}, {Host: "::1", Port: 8103}}},
		{"environment", nil, []string{"KONG_DEBUG_LISTEN=127.0.0.1:0"}, []Listener{{Host: "127.0.0.1", Port: 0}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustLoad(t, tt.overrides, tt.environ...)
			if diff := cmp.Diff(tt.want, c.DebugListen); diff != "" {
				t.Errorf("DebugListen mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
