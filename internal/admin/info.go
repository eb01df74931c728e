package admin

import (
	"context"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/silverback-gw/silverback/internal/store"
)

// Kong's texts for the node endpoints.
const (
	tagline           = "Welcome to kong"
	luaVersion        = "LuaJIT 2.1.0-20231117"
	msgUnexpectedRoot = "An unexpected error happened" // sic, kong/api/routes/kong.lua
	msgNotCP          = "this endpoint is only available when Kong is configured to run as Control Plane for the cluster"
	emptyConfigHash   = "00000000000000000000000000000000"
)

func (h *Handler) infoRoutes(rr *router) {
	rr.handle("/", "GET", h.root)
	rr.handle("/status", "GET", h.status)
	rr.handle("/endpoints", "GET", h.endpoints)
	rr.handle("/timers", "GET", h.timers)
	rr.handle("/status/dns", "GET", func(c *call) error {
		return plainError(http.StatusNotImplemented, "not implemented with the legacy DNS client")
	})
	rr.handle("/cache", "DELETE", h.purgeCache)
	rr.handle("/cache/{key}", "GET", h.probeCache)
	rr.handle("/cache/{key}", "DELETE", h.invalidateCache)
	rr.handle("/debug/node/log-level", "GET", h.getLogLevel)
	rr.handle("/debug/node/log-level/{log_level}", "PUT", h.putLogLevel)
	rr.handle("/debug/cluster/log-level/{log_level}", "PUT", h.putLogLevel)
	notCP := func(c *call) error { return plainError(http.StatusBadRequest, msgNotCP) }
	rr.handle("/clustering/data-planes", "GET", notCP)
	rr.handle("/clustering/status", "GET", notCP)
	if h.opts.Metrics != nil {
		rr.handle("/metrics", "GET", h.metrics)
	}
}

// metrics is GET /metrics, the prometheus plugin's endpoint: the
// exporter writes the response.
func (h *Handler) metrics(c *call) error {
	c.wrote = true
	h.responseHeaders(c.w.Header(), c.started)
	h.opts.Metrics.ServeHTTP(c.w, c.r)
	return nil
}

// root is GET /: the node, its plugins and its configuration
// (kong/api/routes/kong.lua). go-kong and decK read version,
// configuration.database and plugins.available_on_server.
func (h *Handler) root(c *call) error {
	enabled := []any{}
	err := c.view(func(ctx context.Context, tx *store.Txn) error {
		seen := map[string]bool{}
		return tx.Each(ctx, "plugins", store.Query{}, func(r store.Row) error {
			if name, _ := r["name"].(string); !seen[name] {
				seen[name] = true
				enabled = append(enabled, name)
			}
			return nil
		})
	})
	if err != nil {
		h.log.Error("admin: cannot list plugins", "error", err)
		return plainError(http.StatusInternalServerError, msgUnexpectedRoot)
	}
	available := map[string]any{}
	if h.opts.Plugins != nil {
		for _, name := range h.opts.Plugins.Names() {
			d, _ := h.opts.Plugins.Get(name)
			version := d.Version
			if version == "" {
				version = h.opts.Node.Version
			}
			available[name] = map[string]any{"version": version, "priority": d.Priority}
		}
	}
	pid := os.Getpid()
	return c.ok(map[string]any{
		"tagline":  tagline,
		"version":  h.opts.Node.Version,
		"edition":  edition(h.opts.Node.Version),
		"hostname": h.opts.Node.Hostname,
		"node_id":  h.opts.Node.NodeID,
		"timers":   map[string]any{"running": 0, "pending": 0},
		"plugins": map[string]any{
			"available_on_server": available,
			"enabled_in_cluster":  enabled,
		},
		"lua_version":   luaVersion,
		"configuration": h.configuration(),
		"pids":          map[string]any{"master": pid, "workers": []any{pid}},
	})
}

func edition(version string) string {
	if strings.Contains(version, "enterprise") {
		return "enterprise"
	}
	return "community"
}

// configuration is the node's configuration as GET / shows it, with the
// current log level and the properties clients rely on filled in.
func (h *Handler) configuration() map[string]any {
	cfg := make(map[string]any, len(h.opts.Node.Configuration)+3)
	for k, v := range h.opts.Node.Configuration {
		cfg[k] = v
	}
	if h.opts.Node.Database != "" {
		cfg["database"] = h.opts.Node.Database
	}
	if _, ok := cfg["router_flavor"]; !ok {
		cfg["router_flavor"] = "traditional_compatible"
	}
	if _, ok := cfg["role"]; !ok {
		cfg["role"] = "traditional"
	}
	addListeners(cfg)
	cfg["log_level"] = h.logLevel.Level()
	return cfg
}

// status is GET /status (kong/api/routes/health.lua): memory, connection
// counters, database reachability or, DB-less, the configuration hash.
func (h *Handler) status(c *call) error {
	unit := "m"
	scale := 2
	if u, ok := c.queryArg("unit"); ok {
		unit = u
	}
	if s, ok := c.queryArg("scale"); ok {
		if n, ok := luaToNumber(s); ok {
			switch x := n.(type) {
			case int64:
				scale = int(x)
			case float64:
				scale = int(x)
				if x < 0 {
					scale = -1
				}
			}
		}
	}
	if _, err := bytesToStr(0, unit, scale); err != nil {
		return plainError(http.StatusBadRequest, err.Error())
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gc, _ := bytesToStr(ms.HeapAlloc, unit, scale)
	body := map[string]any{
		"memory": map[string]any{
			"workers_lua_vms":  []any{map[string]any{"pid": os.Getpid(), "http_allocated_gc": gc}},
			"lua_shared_dicts": map[string]any{},
		},
		"server": h.stats.snapshot(),
	}
	if h.opts.DBLess {
		hash := emptyConfigHash
		if h.opts.Declarative != nil {
			if hh := h.opts.Declarative.Hash(); hh != "" {
				hash = hh
			}
		}
		body["configuration_hash"] = hash
	} else {
		body["database"] = map[string]any{"reachable": h.reachable(c.ctx)}
	}
	return c.ok(body)
}

// reachable reports whether the store answers a read.
func (h *Handler) reachable(ctx context.Context) bool {
	db, err := h.db()
	if err != nil {
		return false
	}
	err = db.View(ctx, func(tx *store.Txn) error {
		_, err := tx.Get(ctx, "services", "00000000-0000-0000-0000-000000000000")
		return err
	})
	if err != nil {
		h.log.Error("admin: database unreachable during /status check", "error", err)
	}
	return err == nil
}

// bytesToStr formats a size as Kong's bytes_to_str: integers for bytes,
// "<n> KiB|MiB|GiB" with scale decimals otherwise.
func bytesToStr(n uint64, unit string, scale int) (any, error) {
	u := strings.ToLower(unit)
	if u == "" || u == "b" {
		return n, nil
	}
	if scale < 0 {
		return nil, errString("scale must be equal or greater than 0")
	}
	var div float64
	var suffix string
	switch u {
	case "k":
		div, suffix = 1<<10, " KiB"
	case "m":
		div, suffix = 1<<20, " MiB"
	case "g":
		div, suffix = 1<<30, " GiB"
	default:
		return nil, errString("invalid unit '" + unit + "' (expected 'k/K', 'm/M', or 'g/G')")
	}
	return strconv.FormatFloat(float64(n)/div, 'f', scale, 64) + suffix, nil
}

type errString string

func (e errString) Error() string { return string(e) }

// endpoints is GET /endpoints: every route path, Kong's segment order.
func (h *Handler) endpoints(c *call) error {
	paths := h.routes.paths()
	data := make([]any, len(paths))
	for i, p := range paths {
		data[i] = p
	}
	return c.ok(map[string]any{"data": data})
}

// timers is GET /timers. Silverback has no timer wheel; the shape is
// lua-resty-timer-ng's with nothing scheduled.
func (h *Handler) timers(c *call) error {
	return c.ok(map[string]any{
		"worker": map[string]any{"id": 0, "count": 1},
		"stats": map[string]any{
			"sys":        map[string]any{"running": 0, "pending": 0, "waiting": 0, "total": 0, "runs": 0},
			"timers":     map[string]any{},
			"flamegraph": map[string]any{"running": "", "pending": "", "elapsed_time": ""},
		},
	})
}

func (h *Handler) probeCache(c *call) error {
	if h.opts.Cache != nil {
		if v, ok := h.opts.Cache.Probe(c.param("key")); ok {
			if m, isMap := v.(map[string]any); isMap {
				return c.ok(m)
			}
			return c.ok(map[string]any{"message": v})
		}
	}
	return errNotFound
}

func (h *Handler) invalidateCache(c *call) error {
	if h.opts.Cache != nil {
		h.opts.Cache.Invalidate(c.param("key"))
	}
	c.reply(http.StatusNoContent, nil)
	return nil
}

func (h *Handler) purgeCache(c *call) error {
	if h.opts.Cache != nil {
		h.opts.Cache.Purge()
	}
	c.reply(http.StatusNoContent, nil)
	return nil
}

// serverStats counts what /status reports under "server", measured by the
// handler and, when wired to http.Server.ConnState, the connections.
type serverStats struct {
	requests, inflight     atomic.Int64
	accepted, active, idle atomic.Int64
	connStateWired         atomic.Bool
	conns                  sync.Map // net.Conn -> last http.ConnState
}

// ConnState tracks the Admin API's connections for /status; set it as the
// http.Server's ConnState.
func (h *Handler) ConnState(conn net.Conn, state http.ConnState) {
	s := &h.stats
	s.connStateWired.Store(true)
	prev, _ := s.conns.Load(conn)
	if prev == http.StateIdle {
		s.idle.Add(-1)
	}
	switch state {
	case http.StateNew:
		s.accepted.Add(1)
		s.active.Add(1)
	case http.StateIdle:
		s.idle.Add(1)
	case http.StateHijacked, http.StateClosed:
		s.active.Add(-1)
		s.conns.Delete(conn)
		return
	}
	s.conns.Store(conn, state)
}

func (s *serverStats) snapshot() map[string]any {
	writing := s.inflight.Load()
	active, idle, accepted := s.active.Load(), s.idle.Load(), s.accepted.Load()
	if !s.connStateWired.Load() {
		// Without connection tracking only requests are known: each one in
		// flight holds a connection.
		active, accepted = writing, s.requests.Load()
	}
	reading := max(active-idle-writing, 0)
	return map[string]any{
		"connections_active":   active,
		"connections_reading":  reading,
		"connections_writing":  writing,
		"connections_waiting":  idle,
		"connections_accepted": accepted,
		"connections_handled":  accepted,
		"total_requests":       s.requests.Load(),
	}
}
