package gateway

import (
	"log/slog"

	"github.com/silverback-gw/silverback/internal/cluster"
	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/entities"
)

// Option adjusts New.
type Option func(*options)

type options struct {
	noNotify bool
}

// WithoutNotify makes a PostgreSQL-backed node neither send nor LISTEN for
// cluster NOTIFYs, so that other nodes' changes arrive by polling alone
// (tests of the db_update_frequency path).
func WithoutNotify() Option { return func(o *options) { o.noNotify = true } }

// invalidatorFunc adapts a function to cluster.Invalidator.
type invalidatorFunc func()

func (f invalidatorFunc) Invalidate() { f() }

// newCluster returns the cluster events of a database = postgres node, nil
// for the other stores. Events from other nodes invalidate g's snapshot.
func (g *Gateway) newCluster(cfg *conf.Config, catalog *entities.Catalog, nodeID string, o options, log *slog.Logger) *cluster.Cluster {
	if cfg.Database != "postgres" {
		return nil
	}
	return cluster.New(cluster.Options{
		NodeID:      nodeID,
		PG:          cfg.PG,
		Frequency:   cfg.DBUpdateFrequency,
		Propagation: cfg.DBUpdatePropagation,
		Catalog:     catalog,
		Holder:      invalidatorFunc(func() { g.holder.Invalidate() }),
		Logger:      log,
		NoNotify:    o.noNotify,
	})
}

// Cluster returns the node's cluster events, to subscribe caches outside
// the snapshot to other nodes' invalidations; nil unless database = postgres.
func (g *Gateway) Cluster() *cluster.Cluster { return g.cluster }
