package proxy

import (
	"log/slog"
	"net/netip"
	"time"

	lb "github.com/silverback-gw/silverback/internal/balancer"
	"github.com/silverback-gw/silverback/internal/dns"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// Options configure a Proxy. The gateway fills them from kong.conf;
// DefaultOptions returns Kong's defaults.
type Options struct {
	// Snapshots gives the current runtime snapshot, loaded once per
	// request; *runtime.Holder is one. Before the first snapshot every
	// request gets Kong's 404.
	Snapshots SnapshotSource

	// ServerToken is Kong's "kong/<version>" token, sent in Server and Via
	// (DefaultOptions: "kong/3.9.1").
	ServerToken string
	// Headers are the Kong headers sent to clients (the headers property).
	Headers Headers
	// UpstreamRequestID sends X-Kong-Request-Id to upstreams
	// (headers_upstream = X-Kong-Request-Id, the default).
	UpstreamRequestID bool

	// TrustedIPs are the peers whose X-Forwarded-* headers and real-IP
	// header are believed (trusted_ips).
	TrustedIPs []netip.Prefix
	// RealIPHeader names the header holding the client address sent by a
	// trusted peer (real_ip_header, default X-Real-IP). "proxy_protocol"
	// has no effect: the listeners do not speak the PROXY protocol.
	RealIPHeader string
	// RealIPRecursive walks X-Forwarded-For past trusted addresses
	// (real_ip_recursive).
	RealIPRecursive bool

	// ErrorDefaultType is the format of gateway errors for requests that
	// carry neither Accept nor Content-Type (error_default_type; Kong's
	// default text/plain, "" means JSON).
	ErrorDefaultType string
	// ErrorTemplates replace Kong's error bodies per format
	// (error_template_json, _html, _xml, _plain: the files' contents).
	// Like Kong's string.format, the first %s is the message, the second
	// the request id, and %% a percent sign. Empty keeps Kong's template.
	ErrorTemplates ErrorTemplates
	// ClientMaxBodySize limits request bodies, in bytes; 0 means no limit
	// (nginx_http_client_max_body_size, Kong's default 0).
	ClientMaxBodySize int64

	// KeepalivePoolSize is the number of idle connections kept per
	// upstream address (upstream_keepalive_pool_size); 0 disables
	// keep-alive.
	KeepalivePoolSize int
	// KeepaliveMaxRequests closes a connection after that many requests
	// (upstream_keepalive_max_requests); 0 means no limit.
	KeepaliveMaxRequests int
	// KeepaliveIdleTimeout closes connections idle that long
	// (upstream_keepalive_idle_timeout); 0 means no limit.
	KeepaliveIdleTimeout time.Duration

	// AllowDebugHeader lets a request carrying a Kong-Debug header get the
	// matched route's and service's ids and names in Kong-Route-Id,
	// Kong-Route-Name, Kong-Service-Id and Kong-Service-Name
	// (allow_debug_header).
	AllowDebugHeader bool

	// PortMaps maps a listening port to the port announced upstream in
	// X-Forwarded-Port and used for routing (port_maps).
	PortMaps map[int]int
	// DNS resolves service and target host names (Kong's DNS client and
	// its dns_* settings); nil means a client with kong.conf's defaults.
	DNS *dns.Client

	// Balancers are the upstream balancers, shared with the admin API's
	// health endpoints and kept across snapshots; nil gives the Proxy a
	// set of its own (using DNS), closed by Close.
	Balancers *lb.Set

	// Plugins runs the plugin phases; nil runs none.
	Plugins Plugins
	// Logger receives upstream failures and recovered panics; nil means
	// slog.Default().
	Logger *slog.Logger
}

// Headers is the set of Kong headers sent to clients, Kong's headers
// property once its tokens are expanded (server_tokens = Server + Via,
// latency_tokens = the latency headers).
type Headers struct {
	Server          bool // Server
	Via             bool // Via
	ProxyLatency    bool // X-Kong-Proxy-Latency
	ResponseLatency bool // X-Kong-Response-Latency
	UpstreamLatency bool // X-Kong-Upstream-Latency
	UpstreamStatus  bool // X-Kong-Upstream-Status
	RequestID       bool // X-Kong-Request-Id
}

// ErrorTemplates are custom error body templates, by format.
type ErrorTemplates struct {
	JSON, HTML, XML, Plain string
}

// SnapshotSource gives the current runtime snapshot.
type SnapshotSource interface {
	Load() *runtime.Snapshot
}

// DefaultOptions returns Kong 3.9's defaults for a node whose snapshots
// come from src.
func DefaultOptions(src SnapshotSource) Options {
	return Options{
		Snapshots:   src,
		ServerToken: "kong/3.9.1",
		Headers: Headers{
			Server: true, Via: true,
			ProxyLatency: true, ResponseLatency: true, UpstreamLatency: true,
			RequestID: true,
		},
		UpstreamRequestID:    true,
		RealIPHeader:         "X-Real-IP",
		ErrorDefaultType:     "text/plain",
		KeepalivePoolSize:    512,
		KeepaliveMaxRequests: 10000,
		KeepaliveIdleTimeout: 60 * time.Second,
	}
}
