package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/silverback-gw/silverback/internal/admin"
	"github.com/silverback-gw/silverback/internal/balancer"
	"github.com/silverback-gw/silverback/internal/balancer/adminhealth"
	"github.com/silverback-gw/silverback/internal/cluster"
	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/dns"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
	_ "github.com/silverback-gw/silverback/internal/plugins/bundled" // the bundled plugins register themselves
	"github.com/silverback-gw/silverback/internal/plugins/prometheus"
	"github.com/silverback-gw/silverback/internal/proxy"
	"github.com/silverback-gw/silverback/internal/runtime"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/stream"
)

// Gateway is one running node.
type Gateway struct {
	cfg     *conf.Config
	log     *slog.Logger
	catalog *entities.Catalog
	plugins *plugin.Set
	db      *store.DB
	holder  *runtime.Holder
	dbless  *dblessConfig    // nil unless database = off
	cluster *cluster.Cluster // nil unless database = postgres

	proxy     *proxy.Proxy
	pluginRT  *plugin.Runtime // runs the configured plugins' phases
	balancers *balancer.Set   // upstream balancers and health checks, outside the snapshot
	dns       *dns.Client     // resolves service hosts and targets (dns_*)
	admin     http.Handler
	status    http.Handler
	// metrics is the prometheus plugin's /metrics, nil when the plugin is
	// not loaded.
	metrics *prometheus.Exporter

	ctx     context.Context
	cancel  context.CancelFunc
	mu      sync.Mutex
	servers []*server
	stream  *stream.Server   // nil without stream_listen entries
	streams []streamListener // stream_listen, bound
	wg      sync.WaitGroup

	closeOnce sync.Once // the store and upstream pools close once
	closeErr  error
}

// New opens the store cfg names, loads the declarative configuration in
// DB-less mode and builds the first runtime snapshot. It binds nothing:
// Start does (and, with PostgreSQL, starts following other nodes' cluster
// events).
func New(cfg *conf.Config, log *slog.Logger, opts ...Option) (*Gateway, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	catalog, plugins, err := Catalog(cfg)
	if err != nil {
		return nil, err
	}
	nodeID, err := conf.NodeID(cfg.Prefix)
	if err != nil {
		return nil, err
	}
	node, err := nodeTLS(cfg, log)
	if err != nil {
		return nil, err
	}
	g := &Gateway{cfg: cfg, log: log, catalog: catalog, plugins: plugins}
	g.cluster = g.newCluster(cfg, catalog, nodeID, o, log)
	db, err := openDB(cfg, catalog, g.cluster)
	if err != nil {
		return nil, err
	}
	g.db = db
	g.ctx, g.cancel = context.WithCancel(context.Background())
	g.holder = runtime.NewHolder(func() *store.DB { return g.db }, log)
	g.holder.SetNodeTLS(node)
	g.pluginRT = plugin.NewRuntime(plugins, log)
	g.pluginRT.SetCache(plugin.NewCache(db, plugin.CacheOptions{TTL: cfg.DBCacheTTL, NegTTL: cfg.DBCacheNegTTL}))
	if g.cluster != nil {
		g.cluster.Subscribe(invalidateCache(g.pluginRT.Cache()))
	}
	if g.metrics = g.newMetrics(nodeID); g.metrics != nil {
		g.holder.SetPluginCompiler(metricsCompiler{g.pluginRT, g.metrics})
	} else {
		g.holder.SetPluginCompiler(g.pluginRT)
	}
	db.Subscribe(g.holder.OnEvents)
	if cfg.Database == "off" {
		g.dbless = &dblessConfig{g: g}
		dc, err := loadDeclarative(g.ctx, cfg, db)
		if err != nil {
			db.Close()
			return nil, err
		}
		g.dbless.setHash(dc)
	}
	if err := g.holder.Rebuild(g.ctx); err != nil {
		db.Close()
		return nil, err
	}
	if g.dbless != nil {
		// Parsing a large declarative file leaves hundreds of megabytes
		// of garbage (the YAML tree, the validated rows the store copied)
		// that the runtime would otherwise hand back to the OS only
		// slowly: collect it and return it now, once, before serving.
		debug.FreeOSMemory()
	}
	popts, err := proxyOptions(cfg, g.holder, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	g.dns = dnsClient(cfg, log)
	g.balancers = balancer.NewSet(balancer.Options{DNS: g.dns, Logger: log})
	popts.Balancers, popts.DNS = g.balancers, g.dns
	popts.Plugins = g.pluginRT
	g.proxy = proxy.New(popts)
	g.admin = g.newAdmin(nodeID)
	g.status = g.newStatus(nodeID)
	return g, nil
}

func proxyOptions(cfg *conf.Config, src proxy.SnapshotSource, log *slog.Logger) (proxy.Options, error) {
	o := proxy.DefaultOptions(src)
	o.ServerToken = "kong/" + meta.KongVersion
	h := cfg.Headers
	o.Headers = proxy.Headers{Server: h.Server, Via: h.Via, ProxyLatency: h.ProxyLatency,
		ResponseLatency: h.ResponseLatency, UpstreamLatency: h.UpstreamLatency,
		UpstreamStatus: h.UpstreamStatus, RequestID: h.RequestID}
	o.UpstreamRequestID = cfg.HeadersUpstream.RequestID
	o.TrustedIPs = cfg.TrustedIPs.Prefixes
	o.RealIPHeader = cfg.RealIPHeader
	o.RealIPRecursive = cfg.RealIPRecursive
	o.ErrorDefaultType = cfg.ErrorDefaultType
	o.ClientMaxBodySize = cfg.ProxyMaxBodySize
	o.KeepalivePoolSize = cfg.UpstreamKeepalivePoolSize
	o.KeepaliveMaxRequests = cfg.UpstreamKeepaliveMaxRequests
	o.KeepaliveIdleTimeout = cfg.UpstreamKeepaliveIdleTimeout
	o.PortMaps = cfg.PortMaps
	o.AllowDebugHeader = cfg.AllowDebugHeader
	t := cfg.ErrorTemplates
	for _, tpl := range []struct {
		path string
		into *string
	}{{t.JSON, &o.ErrorTemplates.JSON}, {t.HTML, &o.ErrorTemplates.HTML}, {t.XML, &o.ErrorTemplates.XML}, {t.Plain, &o.ErrorTemplates.Plain}} {
		if tpl.path == "" {
			continue
		}
		b, err := os.ReadFile(tpl.path)
		if err != nil {
			return o, fmt.Errorf("error template: %w", err)
		}
		*tpl.into = string(b)
	}
	o.Logger = log
	return o, nil
}

// configurationMap is GET /'s "configuration": every set property,
// sensitive values masked.
func configurationMap(cfg *conf.Config) map[string]any {
	m := map[string]any{}
	for _, s := range cfg.Settings() {
		m[s.Name] = s.Value
	}
	return m
}

func (g *Gateway) newAdmin(nodeID string) http.Handler {
	hostname, _ := os.Hostname()
	opts := admin.Options{
		DB:      func() *store.DB { return g.db },
		Catalog: g.catalog,
		Plugins: g.plugins,
		Node: admin.NodeInfo{
			Version:       meta.KongVersion,
			NodeID:        nodeID,
			Hostname:      hostname,
			Database:      g.cfg.Database,
			Configuration: configurationMap(g.cfg),
		},
		DBLess:      g.dbless != nil,
		Health:      adminhealth.New(g.balancers),
		Cache:       g.pluginRT.Cache(),
		Metrics:     g.metricsHandler(),
		Headers:     admin.Headers{Server: g.cfg.Headers.Server, AdminLatency: g.cfg.Headers.AdminLatency},
		MaxBodySize: g.cfg.AdminMaxBodySize,
		Logger:      g.log,
	}
	if g.dbless != nil {
		opts.Declarative = g.dbless
	}
	return admin.New(opts)
}

// Handlers returns the proxy, Admin API and status handlers, for tests that
// serve them on listeners of their own.
func (g *Gateway) Handlers() (proxyHandler, adminHandler, statusHandler http.Handler) {
	return g.proxy, g.admin, g.status
}

// Holder returns the runtime snapshot holder.
func (g *Gateway) Holder() *runtime.Holder { return g.holder }

// Start binds every configured listener and serves until Shutdown or Close.
func (g *Gateway) Start() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	var servers []*server
	for _, l := range []struct {
		name, certName string
		entries        []conf.Listener
		handler        http.Handler
		certs          conf.Certs
		snis           *runtime.Holder // certificates by SNI, proxy only
	}{
		{"proxy", "kong", g.cfg.ProxyListen, g.proxy, g.cfg.SSL, g.holder},
		{"admin", "admin-kong", g.cfg.AdminListen, g.admin, g.cfg.AdminSSL, nil},
		{"status", "status-kong", g.cfg.StatusListen, g.status, g.cfg.StatusSSL, nil},
	} {
		tlsConfig, err := listenerTLS(g.cfg, l.certName, l.entries, l.certs, l.snis, g.log)
		if err != nil {
			closeAll(servers)
			return err
		}
		s, err := listen(l.name, l.entries, l.handler, tlsConfig, g.cfg.ProxyHTTP1Engine, g.log)
		if err != nil {
			closeAll(servers)
			return err
		}
		servers = append(servers, s...)
	}
	pprof, err := g.listenDebug()
	if err != nil {
		closeAll(servers)
		return err
	}
	servers = append(servers, pprof...)
	srv, streams, err := g.listenStream()
	if err != nil {
		closeAll(servers)
		return err
	}
	if g.cluster != nil {
		if err := g.cluster.Start(); err != nil {
			closeAll(servers)
			closeStream(streams)
			return err
		}
	}
	g.servers, g.stream, g.streams = servers, srv, streams
	go g.holder.Run(g.ctx)
	go g.balancers.Run(g.ctx, g.holder, time.Second)
	for _, s := range servers {
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			s.serve(g.log)
		}()
		g.log.Info("listening", "listener", s.name, "addr", s.ln.Addr().String())
	}
	if srv != nil {
		g.serveStream(srv, streams)
	}
	return nil
}

// Addrs returns the bound addresses by listener name ("proxy", "admin",
// "status", "debug", "stream"), in configuration order.
func (g *Gateway) Addrs() map[string][]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[string][]string{}
	for _, s := range g.servers {
		out[s.name] = append(out[s.name], s.ln.Addr().String())
	}
	for _, l := range g.streams {
		out["stream"] = append(out["stream"], l.addr())
	}
	return out
}

// Reload re-applies the declarative configuration (DB-less) and rebuilds
// the runtime snapshot, without touching connections. Listener, store and
// header properties need a restart.
func (g *Gateway) Reload(cfg *conf.Config) error {
	if g.dbless != nil {
		dc, err := loadDeclarative(g.ctx, cfg, g.db)
		if err != nil {
			return err
		}
		g.dbless.setHash(dc)
		g.pluginRT.Cache().Purge() // a reload writes no change events
	}
	return g.holder.Rebuild(g.ctx)
}

// Shutdown stops accepting connections and waits for in-flight requests
// until ctx ends, then closes the store.
func (g *Gateway) Shutdown(ctx context.Context) error {
	g.mu.Lock()
	servers, streamSrv := g.servers, g.stream
	g.mu.Unlock()
	var errs []error
	for _, s := range servers {
		if err := s.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", s.name, s.ln.Addr(), err))
		}
	}
	if streamSrv != nil {
		if err := streamSrv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stream: %w", err))
		}
	}
	g.wg.Wait()
	errs = append(errs, g.release())
	return errors.Join(errs...)
}

// Close stops at once: listeners and connections are closed. It may follow
// a Shutdown that was cut short.
func (g *Gateway) Close() error {
	g.mu.Lock()
	servers, streamSrv := g.servers, g.stream
	g.mu.Unlock()
	for _, s := range servers {
		s.srv.Close()
	}
	if streamSrv != nil {
		streamSrv.Close()
	}
	g.wg.Wait()
	return g.release()
}

// release stops the runtime and closes upstream connections and the
// store, once, whichever of Shutdown and Close comes first or both.
func (g *Gateway) release() error {
	g.closeOnce.Do(func() {
		g.cancel()
		if g.cluster != nil {
			g.cluster.Close()
		}
		g.proxy.Close()
		g.pluginRT.Close() // drains the log queue
		g.balancers.Close()
		g.closeErr = g.db.Close()
	})
	return g.closeErr
}
