package admin

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/store"
)

// Options configures the Admin API handler.
type Options struct {
	// DB returns the current store. It is called on every request: DB-less
	// mode may swap the store when POST /config loads a configuration.
	DB func() *store.DB
	// Catalog is the set of entities served; nil means DB().Catalog().
	Catalog *entities.Catalog
	// Plugins is the set of plugins loaded on the node (GET /, /plugins/enabled,
	// /schemas/plugins/{name}).
	Plugins *plugin.Set
	// Node describes the node for GET / and /status.
	Node NodeInfo
	// DBLess answers every write with 405 (Kong's code 12) and enables /config.
	DBLess bool
	// Declarative loads and exports declarative configurations for /config;
	// nil unless DBLess.
	Declarative Declarative
	// Health reports and sets the health of upstream targets; nil reports
	// every target HEALTHCHECKS_OFF and refuses manual health changes.
	Health Health
	// LogLevel is the node's dynamic log level (/debug/node/log-level); nil
	// keeps one in memory, starting at Node.Configuration["log_level"].
	LogLevel LogLevel
	// Cache is the node's entity cache (/cache); nil means nothing is cached.
	Cache Cache
	// Metrics serves GET /metrics (the prometheus plugin's exporter); nil
	// means the endpoint does not exist.
	Metrics http.Handler
	// Headers selects the response headers the `headers` property enables.
	Headers Headers
	// AdminGUIURLs are the admin_gui_url values: when set, CORS answers only
	// their origins.
	AdminGUIURLs []string
	// MaxBodySize limits request bodies (nginx_admin_client_max_body_size);
	// 0 means 10 MiB, a negative value no limit.
	MaxBodySize int64
	// Logger receives unexpected errors; nil means slog.Default().
	Logger *slog.Logger
}

// NodeInfo describes the node as GET / and /status report it.
type NodeInfo struct {
	// Version is the Kong OSS version implemented, three parts ("3.9.1").
	Version string
	// NodeID is the node's uuid; Hostname its host name.
	NodeID   string
	Hostname string
	// Database is "sqlite", "postgres" or "off".
	Database string
	// Configuration holds every kong.conf property, typed, sensitive values
	// already masked; GET / adds database, router_flavor and log_level.
	Configuration map[string]any
}

// Headers selects optional response headers.
type Headers struct {
	// Server sends "Server: kong/<version>" (server_tokens, server).
	Server bool
	// AdminLatency sends X-Kong-Admin-Latency (latency_tokens, x-kong-admin-latency).
	AdminLatency bool
}

// LogLevel is the node's dynamic log level.
type LogLevel interface {
	// Level returns the current level name ("notice").
	Level() string
	// SetLevel changes the level; after timeout (when positive) the level
	// returns to the one configured.
	SetLevel(level string, timeout time.Duration)
}

// Cache is the part of the node's entity cache the Admin API drives.
type Cache interface {
	// Probe returns a cached value.
	Probe(key string) (any, bool)
	// Invalidate drops one key; Purge drops everything.
	Invalidate(key string)
	Purge()
}

// Handler is the Admin API. It is safe for concurrent use.
type Handler struct {
	opts     Options
	catalog  *entities.Catalog
	routes   *router
	logLevel LogLevel
	origins  []string
	log      *slog.Logger
	stats    serverStats
	maxBody  int64
}

// New returns the Admin API handler for opts.
func New(opts Options) *Handler {
	h := &Handler{opts: opts, catalog: opts.Catalog, log: opts.Logger, logLevel: opts.LogLevel}
	if h.catalog == nil {
		h.catalog = opts.DB().Catalog()
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.logLevel == nil {
		initial, _ := opts.Node.Configuration["log_level"].(string)
		h.logLevel = NewLogLevel(initial)
	}
	h.maxBody = opts.MaxBodySize
	if h.maxBody == 0 {
		h.maxBody = 10 << 20
	}
	for _, u := range opts.AdminGUIURLs {
		if p, err := url.Parse(u); err == nil && p.Scheme != "" && p.Host != "" {
			h.origins = append(h.origins, p.Scheme+"://"+p.Host)
		}
	}
	h.routes = h.buildRoutes()
	return h
}

// ServeHTTP answers one Admin API request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.stats.requests.Add(1)
	h.stats.inflight.Add(1)
	defer h.stats.inflight.Add(-1)
	c := &call{h: h, w: w, r: r, ctx: r.Context(), started: time.Now()}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.log.Error("admin: unexpected panic", "method", r.Method, "path", r.URL.Path,
				"panic", v, "stack", string(debug.Stack()))
			if !c.wrote {
				c.reply(http.StatusInternalServerError, message(msgUnexpected))
			}
		}
	}()
	h.corsHeaders(w, r)
	if err := h.dispatch(c); err != nil {
		c.fail(err)
	}
}

// dispatch routes the request as Kong's lapis application does: unknown
// path 404, body content checks, disabled endpoints, HEAD and OPTIONS,
// wrong method 405, then the endpoint with its decoded arguments.
func (h *Handler) dispatch(c *call) error {
	path := c.r.URL.EscapedPath()
	rt, params := h.routes.match(path)
	if rt == nil && path != "/" {
		// Kong's default_route retries without (or with) a trailing slash.
		if strings.HasSuffix(path, "/") {
			rt, params = h.routes.match(strings.TrimSuffix(path, "/"))
		} else {
			rt, params = h.routes.match(path + "/")
		}
	}
	if rt == nil {
		return errNotFound
	}
	c.route, c.params = rt, params
	if err := c.checkContentType(); err != nil {
		return err
	}
	if rt.disabled {
		return errNotFound
	}
	method := c.r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	if method == http.MethodOptions {
		c.options()
		return nil
	}
	fn := rt.methods[method]
	if fn == nil {
		return errMethodNotAllowed
	}
	c.method = method
	if err := c.loadArgs(); err != nil {
		return err
	}
	return fn(c)
}

// corsHeaders sets Kong's CORS headers on every response (api_helpers.cors_filter).
func (h *Handler) corsHeaders(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if len(h.origins) > 0 {
		allowed := false
		for _, o := range h.origins {
			allowed = allowed || o == origin
		}
		if !allowed {
			origin = h.origins[0]
		}
	} else if origin == "" {
		origin = "*"
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	w.Header().Set("Access-Control-Allow-Credentials", "true")
	if r.Method == http.MethodOptions {
		if ah := r.Header.Get("Access-Control-Request-Headers"); ah != "" {
			w.Header().Set("Access-Control-Allow-Headers", ah)
		}
	}
}

// db returns the current store or a database error when there is none.
func (h *Handler) db() (*store.DB, error) {
	if h.opts.DB == nil {
		return nil, store.DatabaseError(errNoDB)
	}
	db := h.opts.DB()
	if db == nil {
		return nil, store.DatabaseError(errNoDB)
	}
	return db, nil
}

// view runs fn in a read transaction of the current store.
func (c *call) view(fn func(ctx context.Context, tx *store.Txn) error) error {
	db, err := c.h.db()
	if err != nil {
		return err
	}
	return db.View(c.ctx, func(tx *store.Txn) error { return fn(c.ctx, tx) })
}

// write runs fn with a writer: a read-write transaction in DB mode, a
// read transaction whose writer validates and then refuses in DB-less mode.
func (c *call) write(fn func(ctx context.Context, tx *store.Txn, w writer) error) error {
	db, err := c.h.db()
	if err != nil {
		return err
	}
	if c.h.opts.DBLess {
		return db.View(c.ctx, func(tx *store.Txn) error {
			return fn(c.ctx, tx, dblessWriter{tx: tx})
		})
	}
	return db.Update(c.ctx, func(tx *store.Txn) error {
		return fn(c.ctx, tx, dbWriter{tx: tx})
	})
}
