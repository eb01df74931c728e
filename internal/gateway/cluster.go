package gateway

import (
	"log/slog"
	"strings"

	"github.com/silverback-gw/silverback/internal/cluster"
	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
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

// invalidateCache applies other nodes' invalidations to the node's entity
// cache. A cluster event carries Kong's cache key
// ("keyauth_credentials:<key>:::::<ws_id>", "acls:<consumer id>:<group>::::<ws_id>");
// the cache keeps keys without the workspace, and per-consumer entries
// (acl groups) under the entity and its first key part: both are dropped.
func invalidateCache(c *plugin.Cache) func(cluster.Invalidation) {
	return func(inv cluster.Invalidation) {
		if inv.All {
			c.Purge()
			return
		}
		parts := strings.Split(inv.Key, ":")
		if len(parts) < 2 {
			return
		}
		c.Invalidate(strings.Join(parts[:len(parts)-1], ":") + ":")
		c.Invalidate(plugin.EntityKey(parts[0], parts[1]))
	}
}
