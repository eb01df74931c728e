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

	dirty chan struct{}
	mu    sync.Mutex // serializes rebuilds
	gen   atomic.Uint64

	// waiters are notified after each rebuild attempt.
	waitMu  sync.Mutex
	waiters []chan struct{}
}

// NewHolder returns a holder reading from the DB db returns (DB-less mode
// swaps DBs on reload). Call Rebuild once before serving and Run to follow
// changes.
func NewHolder(db func() *store.DB, log *slog.Logger) *Holder {
	return &Holder{dbFn: db, log: log, dirty: make(chan struct{}, 1)}
}

// Load returns the current snapshot (nil before the first build). It is one
// atomic load: call it once per request.
func (h *Holder) Load() *Snapshot { return h.current.Load() }

// Rebuild builds a snapshot now and publishes it; on error the current
// snapshot stays.
func (h *Holder) Rebuild(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	// Waiters registered before this build started see its result.
	h.waitMu.Lock()
	waiting := h.waiters
	h.waiters = nil
	h.waitMu.Unlock()
	defer func() {
		for _, ch := range waiting {
			close(ch)
		}
	}()
	start := time.Now()
	s, err := Build(ctx, h.dbFn())
	if err == nil {
		s.Generation = h.gen.Add(1)
		h.current.Store(s)
		h.log.Debug("configuration rebuilt", "generation", s.Generation, "took", time.Since(start))
		if s.RouteErrors != nil {
			h.log.Error("routes left out of the router", "error", s.RouteErrors)
		}
	} else {
		h.log.Error("configuration rebuild failed; keeping the running configuration", "error", err)
	}
	return err
}

// Invalidate marks the configuration changed; Run rebuilds soon after,
// coalescing bursts of changes into one rebuild. It never blocks.
func (h *Holder) Invalidate() {
	select {
	case h.dirty <- struct{}{}:
	default:
	}
}

// OnEvents adapts Invalidate to store.DB.Subscribe.
func (h *Holder) OnEvents([]store.Event) { h.Invalidate() }

// Run rebuilds after invalidations until ctx ends.
func (h *Holder) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.dirty:
			_ = h.Rebuild(ctx) // logged; the running snapshot stays on error
		}
	}
}

// Sync waits until a rebuild that started after the call has finished: a
// write followed by Sync is visible to the proxy. Used by reloads and tests.
func (h *Holder) Sync(ctx context.Context) error {
	ch := make(chan struct{})
	h.waitMu.Lock()
	h.waiters = append(h.waiters, ch)
	h.waitMu.Unlock()
	h.Invalidate()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
