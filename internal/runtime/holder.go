package runtime

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/silverback-gw/silverback/internal/store"
)

// Holder owns the current Snapshot and rebuilds it when the configuration
// changes.
type Holder struct {
	current atomic.Pointer[Snapshot]
	dbFn    func() *store.DB
	log     *slog.Logger
	gen     atomic.Uint64

	build   sync.Mutex // one build at a time; guards model
	model   *model     // nil until the first full load
	plugins PluginCompiler
	node    *NodeTLS

	dirty   chan struct{}
	pendMu  sync.Mutex
	pending []store.Event // committed changes not yet in the model
	reload  bool          // the next build re-reads the store
	waiters []chan struct{}
}

// NewHolder returns a holder reading from the DB db returns (DB-less mode
// may replace the configuration wholesale). Call Rebuild once before
// serving, subscribe OnEvents to the DB, and Run to follow changes.
func NewHolder(db func() *store.DB, log *slog.Logger) *Holder {
	return &Holder{dbFn: db, log: log, dirty: make(chan struct{}, 1)}
}

// SetPluginCompiler makes every snapshot carry the plugin instances as pc
// compiles them (Snapshot.Plugins). Call it before the first Rebuild.
func (h *Holder) SetPluginCompiler(pc PluginCompiler) {
	h.build.Lock()
	h.plugins = pc
	h.build.Unlock()
}

// SetNodeTLS makes every snapshot carry n (Snapshot.Node). Call it before
// the first Rebuild.
func (h *Holder) SetNodeTLS(n *NodeTLS) {
	h.build.Lock()
	h.node = n
	h.build.Unlock()
}

// Load returns the current snapshot (nil before the first build). It is one
// atomic load: call it once per request.
func (h *Holder) Load() *Snapshot { return h.current.Load() }

// Rebuild re-reads the whole configuration from the store and publishes a
// new snapshot now; on error the current snapshot stays.
func (h *Holder) Rebuild(ctx context.Context) error {
	h.pendMu.Lock()
	h.reload = true
	h.pendMu.Unlock()
	return h.update(ctx)
}

// OnEvents queues committed changes (store.DB.Subscribe); Run applies
// them, coalescing bursts into one build. It never blocks.
func (h *Holder) OnEvents(events []store.Event) {
	h.pendMu.Lock()
	h.pending = append(h.pending, events...)
	h.pendMu.Unlock()
	h.kick()
}

// Invalidate marks the whole configuration changed: the next build re-reads
// the store. It never blocks.
func (h *Holder) Invalidate() {
	h.pendMu.Lock()
	h.reload = true
	h.pendMu.Unlock()
	h.kick()
}

func (h *Holder) kick() {
	select {
	case h.dirty <- struct{}{}:
	default:
	}
}

// Run applies changes until ctx ends.
func (h *Holder) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.dirty:
			_ = h.update(ctx) // logged; the running snapshot stays on error
		}
	}
}

// Sync waits until every change committed before the call is in the
// published snapshot. Used by reloads and tests.
func (h *Holder) Sync(ctx context.Context) error {
	ch := make(chan struct{})
	h.pendMu.Lock()
	h.waiters = append(h.waiters, ch)
	h.pendMu.Unlock()
	h.kick()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// update brings the model up to date (a full read when asked, then the
// queued events in commit order) and publishes a snapshot when something
// the runtime reads changed.
func (h *Holder) update(ctx context.Context) error {
	h.build.Lock()
	defer h.build.Unlock()
	h.pendMu.Lock()
	events, reload, waiters := h.pending, h.reload || h.model == nil, h.waiters
	h.pending, h.reload, h.waiters = nil, false, nil
	h.pendMu.Unlock()
	defer func() {
		for _, ch := range waiters {
			close(ch)
		}
	}()

	start := time.Now()
	changed := reload
	if reload {
		m, err := loadModel(ctx, h.dbFn())
		if err != nil {
			h.pendMu.Lock()
			h.reload = true // try again on the next change
			h.pendMu.Unlock()
			h.log.Error("configuration rebuild failed; keeping the running configuration", "error", err)
			return err
		}
		h.model = m
	}
	for _, ev := range events {
		if h.model.apply(ev) {
			changed = true
		}
	}
	if !changed {
		return nil
	}
	s := h.model.compile(h.plugins, h.current.Load())
	s.Node = h.node
	s.Generation = h.gen.Add(1)
	h.current.Store(s)
	h.log.Debug("configuration rebuilt", "generation", s.Generation, "reload", reload,
		"events", len(events), "took", time.Since(start))
	if s.RouteErrors != nil {
		h.log.Error("routes left out of the router", "error", s.RouteErrors)
	}
	return nil
}
