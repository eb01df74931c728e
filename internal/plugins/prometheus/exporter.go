package prometheus

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/meta"
)

// subsystem is the subsystem label: the HTTP one (no stream proxy).
const subsystem = "http"

// Target health states, kong_upstream_target_health's state label.
const (
	StateHealthchecksOff = "healthchecks_off"
	StateHealthy         = "healthy"
	StateUnhealthy       = "unhealthy"
	StateDNSError        = "dns_error"
)

var states = []string{StateHealthchecksOff, StateHealthy, StateUnhealthy, StateDNSError}

// Target is one address of an upstream's target and its health, for
// kong_upstream_target_health.
type Target struct {
	// Upstream is the upstream's name, Target the stored "host:port".
	Upstream, Target string
	// Address is "ip:port", "" for a target whose name did not resolve.
	Address string
	// State is one of the State constants.
	State string
}

// Options is what the exporter reads from the node when scraped.
type Options struct {
	// NodeID is the node's id (kong_node_info).
	NodeID string
	// DatastoreReachable reports whether the store answers
	// (kong_datastore_reachable).
	DatastoreReachable func(ctx context.Context) bool
	// Targets lists the upstreams' target addresses and their health
	// (kong_upstream_target_health).
	Targets func() []Target
	// Logger receives scrape errors; nil means slog.Default().
	Logger *slog.Logger
}

// Exporter serves the metrics at /metrics (Kong's exporter.collect): the
// node's gauges, and the request metrics while an enabled instance of
// the plugin is configured.
type Exporter struct {
	opts       Options
	configured atomic.Bool
}

// NewExporter returns the exporter of a node.
func NewExporter(o Options) *Exporter {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Exporter{opts: o}
}

// Configure is told the plugin instances of each new configuration
// (Kong's configure phase): without an enabled prometheus instance the
// request metrics are not exported.
func (x *Exporter) Configure(plugins []*entities.Plugin) {
	x.configured.Store(slices.ContainsFunc(plugins, func(p *entities.Plugin) bool {
		return p.Name == Name && p.Enabled
	}))
}

// ServeHTTP answers a scrape in the format the client accepts, Prometheus
// text by default.
func (x *Exporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	gatherers := prometheus.Gatherers{x.node(r.Context())}
	if x.configured.Load() {
		gatherers = append(gatherers, requests.registry)
	}
	promhttp.HandlerFor(gatherers, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(x.opts.Logger.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
	}).ServeHTTP(w, r)
}

// node gathers the gauges Kong sets at each scrape.
func (x *Exporter) node(ctx context.Context) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	gauge := func(name, help string, labels ...string) *prometheus.GaugeVec {
		g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help}, labels)
		reg.MustRegister(g)
		return g
	}
	gauge("node_info", "Kong Node metadata information", "node_id", "version").
		WithLabelValues(x.opts.NodeID, meta.KongVersion).Set(1)

	reachable := 0.0
	if x.opts.DatastoreReachable == nil || x.opts.DatastoreReachable(ctx) {
		reachable = 1
	} else {
		x.opts.Logger.Error("prometheus: failed to reach database while processing /metrics endpoint")
	}
	gauge("datastore_reachable", "Datastore reachable from Kong, 0 is unreachable").WithLabelValues().Set(reachable)

	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	gauge("memory_workers_lua_vms_bytes", "Allocated bytes in worker Lua VM", "node_id", "pid", "kong_subsystem").
		WithLabelValues(x.opts.NodeID, strconv.Itoa(os.Getpid()), subsystem).Set(float64(mem.HeapAlloc))

	if exportUpstreamHealth.Load() && x.opts.Targets != nil {
		health := gauge("upstream_target_health", "Health status of targets of upstream. "+
			"States = healthchecks_off|healthy|unhealthy|dns_error, value is 1 when state is populated.",
			"upstream", "target", "address", "state", "subsystem")
		for _, t := range x.opts.Targets() {
			for _, s := range states {
				v := 0.0
				if s == t.State {
					v = 1
				}
				health.WithLabelValues(t.Upstream, t.Target, t.Address, s, subsystem).Set(v)
			}
		}
	}
	return reg
}
