package cluster

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/entities"
)

// Channels of cluster_events rows, as Kong names them: entities of the
// core cache (the runtime snapshot's) and of the general cache.
const (
	ChannelCore          = "invalidations_kong_core_db_cache"
	ChannelInvalidations = "invalidations"
)

// notifyChannel is the LISTEN/NOTIFY channel a write transaction signals.
const notifyChannel = "silverback_cluster_events"

// coreTables are the entities in the runtime snapshot (Kong's core cache):
// an event about one of them rebuilds the snapshot.
var coreTables = map[string]bool{
	"services": true, "routes": true, "plugins": true, "upstreams": true, "targets": true,
	"certificates": true, "snis": true, "ca_certificates": true, "vaults": true,
	"key_sets": true, "keys": true, "router": true, "plugins_iterator": true,
}

// Invalidator is what events about the snapshot's entities reset
// (runtime.Holder).
type Invalidator interface{ Invalidate() }

// Invalidation is one cache invalidation published to subscribers: a
// cache key ("keyauth_credentials:<key>:::::<ws_id>", "consumers:<id>:::::<ws_id>"),
// or All when every cached entity may be stale (after a database outage).
type Invalidation struct {
	Key string
	All bool
}

// Options configure a Cluster.
type Options struct {
	NodeID      string        // this node's id (conf.NodeID)
	PG          conf.PG       // the database
	Frequency   time.Duration // db_update_frequency: polling interval
	Propagation time.Duration // db_update_propagation: nbf delay and poll offset
	Catalog     *entities.Catalog
	Holder      Invalidator
	Logger      *slog.Logger
	// NoNotify disables LISTEN/NOTIFY, leaving polling alone (tests).
	NoNotify bool
}

// Cluster writes and follows a node's cluster events. Its goroutines run
// from Start until Close.
type Cluster struct {
	opts Options
	log  *slog.Logger

	wsMu sync.Mutex
	wsID string // the default workspace, read by the first write

	subMu sync.Mutex
	subs  []func(Invalidation)

	wake   chan struct{} // a NOTIFY arrived: poll now
	pool   *pgxpool.Pool
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a cluster for opts; Start runs it.
func New(opts Options) *Cluster {
	if opts.Frequency <= 0 {
		opts.Frequency = 5 * time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Cluster{opts: opts, log: log.With("component", "cluster"), wake: make(chan struct{}, 1)}
}

// Subscribe registers fn to receive every invalidation coming from other
// nodes, for caches outside the snapshot (consumers, credentials). fn must
// not block.
func (c *Cluster) Subscribe(fn func(Invalidation)) {
	c.subMu.Lock()
	c.subs = append(c.subs, fn)
	c.subMu.Unlock()
}

// Start launches the poller and, unless disabled, the LISTEN connection.
func (c *Cluster) Start() error {
	pc, err := poolConfig(c.opts.PG)
	if err != nil {
		return err
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), pc) // connects lazily
	if err != nil {
		return err
	}
	c.pool = pool
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.poll(ctx)
	}()
	if !c.opts.NoNotify {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.listen(ctx)
		}()
	}
	return nil
}

// Close stops the goroutines and closes the connections.
func (c *Cluster) Close() {
	if c.cancel == nil {
		return
	}
	c.cancel()
	c.wg.Wait()
	c.pool.Close()
}

// deliver applies invalidations received from other nodes: one snapshot
// rebuild for any core entity, every key to the subscribers.
func (c *Cluster) deliver(invs []Invalidation) {
	if len(invs) == 0 {
		return
	}
	core := false
	for _, inv := range invs {
		table, _, _ := strings.Cut(inv.Key, ":")
		core = core || inv.All || coreTables[table]
	}
	if core && c.opts.Holder != nil {
		c.opts.Holder.Invalidate() // coalesced by the holder
	}
	c.subMu.Lock()
	subs := c.subs
	c.subMu.Unlock()
	for _, fn := range subs {
		for _, inv := range invs {
			fn(inv)
		}
	}
}
