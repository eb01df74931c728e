package gateway

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/silverback-gw/silverback/internal/balancer/adminhealth"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/plugins/prometheus"
	"github.com/silverback-gw/silverback/internal/store"
)

// newMetrics returns the prometheus plugin's exporter, served at /metrics
// on the Admin and Status APIs, when the plugin is loaded (Kong mounts
// the plugin's endpoints only then); nil otherwise.
func (g *Gateway) newMetrics(nodeID string) *prometheus.Exporter {
	if _, ok := g.plugins.Get(prometheus.Name); !ok {
		return nil
	}
	return prometheus.NewExporter(prometheus.Options{
		NodeID:             nodeID,
		DatastoreReachable: g.datastoreReachable,
		Targets:            g.targetHealth,
		Logger:             g.log,
	})
}

// datastoreReachable reports whether the store answers a read; DB-less,
// it always does.
func (g *Gateway) datastoreReachable(ctx context.Context) bool {
	return g.db.View(ctx, func(tx *store.Txn) error {
		_, err := tx.Get(ctx, "services", "00000000-0000-0000-0000-000000000000")
		return err
	}) == nil
}

// targetHealth lists the addresses of every upstream's targets with
// their health, as Kong's exporter reads them from its balancers: a
// target without addresses is a DNS error, an address is "ip:port"
// (unbracketed, as Kong writes it).
func (g *Gateway) targetHealth() []prometheus.Target {
	snap := g.holder.Load()
	if snap == nil {
		return nil
	}
	health := adminhealth.New(g.balancers)
	var out []prometheus.Target
	for name, u := range snap.Upstreams {
		targets, ok := health.TargetHealth(u.ID)
		if !ok {
			continue
		}
		for target, st := range targets {
			if len(st.Addresses) == 0 {
				out = append(out, prometheus.Target{Upstream: name, Target: target, State: prometheus.StateDNSError})
				continue
			}
			for _, a := range st.Addresses {
				out = append(out, prometheus.Target{Upstream: name, Target: target,
					Address: a.IP + ":" + strconv.Itoa(a.Port), State: strings.ToLower(a.Health)})
			}
		}
	}
	return out
}

// metricsCompiler is the plugin runtime's compiler that also tells the
// exporter each configuration's plugin instances (Kong's configure
// phase).
type metricsCompiler struct {
	*plugin.Runtime
	metrics *prometheus.Exporter
}

func (c metricsCompiler) Compile(plugins []*entities.Plugin) any {
	c.metrics.Configure(plugins)
	return c.Runtime.Compile(plugins)
}

// metricsHandler is the exporter as a handler, nil without one.
func (g *Gateway) metricsHandler() http.Handler {
	if g.metrics == nil {
		return nil
	}
	return g.metrics
}
