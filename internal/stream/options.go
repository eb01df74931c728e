package stream

import (
	"crypto/tls"
	"log/slog"

	lb "github.com/silverback-gw/silverback/internal/balancer"
	"github.com/silverback-gw/silverback/internal/dns"
	"github.com/silverback-gw/silverback/internal/runtime"
)

// Options configure a Server. The gateway fills them from kong.conf.
type Options struct {
	// Snapshots gives the current runtime snapshot, loaded once per
	// connection (or UDP session); *runtime.Holder is one.
	Snapshots SnapshotSource
	// TLS terminates the TLS of tls routes on listeners with the ssl flag:
	// the gateway's proxy certificate selection (certificates entities by
	// SNI, else the default certificate). Required to serve such a
	// listener.
	TLS *tls.Config
	// Balancers are the upstream balancers, shared with the HTTP proxy;
	// nil gives the Server a set of its own (using DNS), closed by Close.
	Balancers *lb.Set
	// DNS resolves service and target host names (Kong's DNS client and
	// its dns_* settings); nil means a client with kong.conf's defaults.
	DNS *dns.Client
	// PortMaps maps a listening port to the port routes see as the
	// destination port (port_maps).
	PortMaps map[int]int
	// HalfClose keeps a session open after one side shut its writing side
	// down, until both did (nginx's proxy_half_close, which Kong leaves
	// off: the session then ends at the first end of stream).
	HalfClose bool
	// Logger receives routing and upstream failures; nil means
	// slog.Default().
	Logger *slog.Logger
}

// SnapshotSource gives the current runtime snapshot.
type SnapshotSource interface {
	Load() *runtime.Snapshot
}
