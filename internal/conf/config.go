package conf

import "time"

// Config is a loaded, valid configuration: typed fields for what Silverback
// uses, and every property as Kong types it (Property, Settings, WriteEnv).
// It is read-only once loaded.
type Config struct {
	// Path is the configuration file that was read, "" when none was.
	Path string

	Prefix   string // absolute working directory (logs, pids, .kong_env)
	LogLevel string // debug, info, notice, warn, error, crit, alert, emerg
	Database string // sqlite (default), postgres or off (DB-less)
	Role     string // traditional, control_plane or data_plane
	NodeID   string // node_id, deprecated; "" when unset (see NodeID)

	ProxyListen []Listener
	// ProxyHTTP1Engine is proxy_http1_engine (a Silverback setting): the
	// HTTP/1.x server of the proxy listeners, "native" or "nethttp".
	ProxyHTTP1Engine string
	StreamListen     []Listener
	AdminListen      []Listener
	AdminGUIListen   []Listener
	StatusListen     []Listener
	ClusterListen    []Listener
	// DebugListen is debug_listen, a Silverback property (not in Kong):
	// plain HTTP addresses, without flags, serving net/http/pprof under
	// /debug/pprof/; "off" (the default) is empty.
	DebugListen []Listener
	// StreamHalfClose is the nginx_sproxy_proxy_half_close directive: a
	// stream session outlives one side's end of stream (off in Kong).
	StreamHalfClose bool

	Logs Logs

	// Plugins is the plugins property as written; see LoadedPlugins.
	Plugins []string
	Vaults  []string
	// PortMaps maps a port Silverback listens on to the port clients use
	// (port_maps "<host port>:<silverback port>", e.g. behind Docker), for
	// X-Forwarded-Port.
	PortMaps map[int]int

	Headers          Headers // headers: added to responses
	HeadersUpstream  Headers // headers_upstream: added to upstream requests
	TrustedIPs       TrustedIPs
	RealIPHeader     string // nginx_proxy_real_ip_header (real_ip_header is its alias)
	RealIPRecursive  bool   // nginx_proxy_real_ip_recursive
	ErrorDefaultType string // MIME type of Kong's error bodies without Accept
	ErrorTemplates   ErrorTemplates
	AllowDebugHeader bool

	// Body limits in bytes, from the nginx_http_* (proxy) and nginx_admin_*
	// (Admin API) directives; a max body size of 0 means unlimited.
	ProxyMaxBodySize    int64
	ProxyBodyBufferSize int64
	AdminMaxBodySize    int64
	AdminBodyBufferSize int64
	MemCacheSize        int64

	DeclarativeConfig          string // path of a kong.yml to load when database = off
	DeclarativeConfigString    string // kong.yml/JSON content; wins over DeclarativeConfig
	RouterFlavor               string // traditional, traditional_compatible or expressions
	WorkerConsistency          string // strict or eventual
	WorkerStateUpdateFrequency time.Duration

	DBUpdateFrequency     time.Duration // cluster_events polling interval
	DBUpdatePropagation   time.Duration
	DBCacheTTL            time.Duration // 0: entities never expire from the cache
	DBCacheNegTTL         time.Duration // db_cache_neg_ttl, DBCacheTTL when unset
	DBResurrectTTL        time.Duration
	DBCacheWarmupEntities []string

	PG PG
	// PGRO is the read-only replica, nil unless pg_ro_host is set. Its unset
	// settings are PG's, except SSL and SSLVerify which, as in Kong, are
	// pg_ro_ssl and pg_ro_ssl_verify (off unless set).
	PGRO *PG

	SSLCipherSuite         string   // modern, intermediate, old, fips or custom
	SSLCiphers             string   // OpenSSL cipher list; "" for modern
	SSLProtocols           []string // effective protocols, e.g. TLSv1.2 TLSv1.3
	SSLPreferServerCiphers bool
	SSLSessionTickets      bool
	SSL                    Certs // proxy_listen and stream_listen
	AdminSSL               Certs
	AdminGUISSL            Certs
	StatusSSL              Certs
	ClientSSL              bool   // present a client certificate to upstreams
	ClientSSLCert          string // file path or PEM
	ClientSSLCertKey       string
	// LuaSSLTrustedCertificate lists CA files or PEM trusted by the
	// connections Kong opens from Lua (PostgreSQL, active health checks,
	// plugins), not by proxied upstreams (see ProxySSL); "system" is the
	// system store.
	LuaSSLTrustedCertificate []string
	LuaSSLVerifyDepth        int
	// ProxySSL, GRPCSSL and StreamProxySSL are the upstream TLS directives
	// of the https, grpcs and tls services (nginx_proxy_proxy_ssl_*,
	// nginx_proxy_grpc_ssl_*, nginx_sproxy_proxy_ssl_* and the blocks
	// they inherit from).
	ProxySSL, GRPCSSL, StreamProxySSL UpstreamSSL

	UpstreamKeepalivePoolSize    int
	UpstreamKeepaliveMaxRequests int
	UpstreamKeepaliveIdleTimeout time.Duration

	LuaMaxReqHeaders  int
	LuaMaxRespHeaders int
	LuaMaxURIArgs     int
	LuaMaxPostArgs    int

	DNS     DNS
	Cluster Cluster

	UntrustedLua            string // on, off or sandbox
	ProxyServer             string // forward proxy URL
	ProxyServerSSLVerify    bool
	TracingInstrumentations []string
	TracingSamplingRate     float64

	// Unknown lists the keys of the file that name no property; Kong
	// ignores them silently, the CLI may warn.
	Unknown []string
	// Warnings are Kong's deprecation and consistency warnings.
	Warnings []string

	// values holds every property as Kong types it.
	values props
}

// Logs are the log destinations. Relative paths are resolved against the
// prefix, like nginx does; "syslog:" targets are kept as written.
type Logs struct {
	ProxyAccess       AccessLog
	ProxyError        string
	ProxyStreamAccess AccessLog
	ProxyStreamError  string
	AdminAccess       AccessLog
	AdminError        string
	AdminGUIAccess    AccessLog
	AdminGUIError     string
	StatusAccess      AccessLog
	StatusError       string
}

// AccessLog is an access log destination: "<path> [format]", or "off".
type AccessLog struct {
	Path   string // "" when off
	Format string // nginx log_format name, "" for Kong's default
}

// ErrorTemplates are the files of custom error pages, "" when unset.
type ErrorTemplates struct {
	HTML  string
	JSON  string
	XML   string
	Plain string
}

// PG is a PostgreSQL connection (pg_* or pg_ro_* properties).
type PG struct {
	Host                 string
	Port                 int
	Database             string
	Schema               string // "" for the server's current schema
	User                 string
	Password             string
	Timeout              time.Duration // connect, send and read
	SSL                  bool
	SSLVerify            bool
	MaxConcurrentQueries int // 0: unlimited
	SemaphoreTimeout     time.Duration
	KeepaliveTimeout     time.Duration // 0: not set
	PoolSize             int           // 0: not set
	Backlog              int           // 0: not set
}

// Certs are the certificates and keys of a listener, in pairs (RSA and
// ECDSA for instance). Each is an absolute file path or PEM content; none
// means a self-signed default is generated in the prefix.
type Certs struct {
	Cert []string
	Key  []string
}

// DNS holds the settings of the legacy DNS client (dns_*) and of the new
// one (new_dns_client, resolver_*).
type DNS struct {
	Resolver    []string // name servers "ip[:port]"; none: /etc/resolv.conf
	Hostsfile   string
	Order       []string      // record types tried in order (LAST, SRV, A, AAAA, CNAME)
	ValidTTL    time.Duration // 0: use the records' TTLs
	StaleTTL    time.Duration
	NotFoundTTL time.Duration
	ErrorTTL    time.Duration
	CacheSize   int
	NoSync      bool

	NewClient            bool
	ResolverAddress      []string
	ResolverHostsFile    string
	ResolverFamily       []string
	ResolverValidTTL     time.Duration // 0: use the records' TTLs
	ResolverStaleTTL     time.Duration
	ResolverErrorTTL     time.Duration
	ResolverLRUCacheSize int
	ResolverMemCacheSize int64
}

// Cluster holds the hybrid mode settings (cluster_*).
type Cluster struct {
	ControlPlane        string // host:port of the control plane (data planes)
	Cert                string // file path or PEM
	CertKey             string
	MTLS                string // shared or pki
	CACert              string
	ServerName          string
	DataPlanePurgeDelay time.Duration
	OCSP                string // on, off or optional
	MaxPayload          int
	UseProxy            bool
	DPLabels            []string
	RPC                 bool
	IncrementalSync     bool
	CJSON               bool
}
