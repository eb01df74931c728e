package plugin

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/proxy"
)

// Runtime runs the plugins of each request: it implements proxy.Plugins
// for the proxy and runtime.PluginCompiler for the runtime holder, so
// every snapshot carries its compiled Index.
type Runtime struct {
	set   *Set
	log   *slog.Logger
	built map[*entities.Plugin]*Instance // the last Compile's instances
	queue *logQueue
	pool  sync.Pool // *request
	cache *Cache
}

// SetCache gives the plugins the node's entity cache (PDK.Cache); set it
// before serving.
func (r *Runtime) SetCache(c *Cache) { r.cache = c }

// Cache returns the node's entity cache, nil when none was set.
func (r *Runtime) Cache() *Cache { return r.cache }

// QueueSize is the number of log phases the log queue holds; beyond it
// they are dropped with an error log rather than delay clients (Kong's
// queue max_entries default).
const QueueSize = 10000

// NewRuntime returns a runtime for the plugins of set, logging to log.
// Close it to drain its log queue.
func NewRuntime(set *Set, log *slog.Logger) *Runtime {
	if log == nil {
		log = slog.Default()
	}
	return &Runtime{set: set, log: log, queue: newLogQueue(QueueSize, log)}
}

// Close stops the log queue once the queued log phases ran.
func (r *Runtime) Close() { r.queue.close() }

// request is the runtime's state for one request (proxy.State's plugin
// state).
type request struct {
	idx        *Index
	pdk        PDK
	consumer   *entities.Consumer
	credential *Credential
	// collected are the instances that apply to the request, in order,
	// once access ran; before, the global instances apply.
	collected []*Instance
	accessed  bool
	exited    bool
}

var emptyIndex = &Index{}

// begin returns the request's state, creating it on the first phase.
func (r *Runtime) begin(s *proxy.State) *request {
	if rq, ok := s.PluginState().(*request); ok {
		return rq
	}
	idx := emptyIndex
	if snap := s.Snapshot(); snap != nil {
		if i, ok := snap.Plugins.(*Index); ok {
			idx = i
		}
	}
	return r.start(s, idx)
}

// start attaches a new request state running the instances of idx.
func (r *Runtime) start(s *proxy.State, idx *Index) *request {
	rq, _ := r.pool.Get().(*request)
	if rq == nil {
		rq = &request{}
	}
	rq.idx = idx
	rq.pdk = PDK{
		Request: s.Request(), ServiceRequest: s.ServiceRequest(),
		Response: Response{state: s, req: rq}, Client: Client{state: s, req: rq},
		Cache: r.cache, state: s,
	}
	s.SetPluginState(rq)
	return rq
}

// release returns the request's state to the pool.
func (r *Runtime) release(s *proxy.State, rq *request) {
	s.SetPluginState(nil)
	clear(rq.collected)
	*rq = request{collected: rq.collected[:0]}
	r.pool.Put(rq)
}

// plugins returns the instances whose filters and log run: those collected
// in access, or the global ones when access did not run.
func (rq *request) plugins() []*Instance {
	if rq.accessed {
		return rq.collected
	}
	return rq.idx.globals
}

// Rewrite runs the rewrite handlers of the global instances.
func (r *Runtime) Rewrite(s *proxy.State) {
	rq := r.begin(s)
	for _, inst := range rq.idx.globals {
		if inst.rewrite != nil && !rq.step(s, inst, phaseRewrite) {
			return
		}
	}
}

// Access collects, plugin by plugin in order, the instance that applies
// to the route, service and consumer known at that moment, and runs its
// access handler until one exits; collecting goes on after an exit.
func (r *Runtime) Access(s *proxy.State) {
	rq := r.begin(s)
	rq.accessed = true
	rq.collected = rq.collected[:0]
	var route, service string
	if rt := s.Route(); rt != nil {
		route = rt.ID
	}
	if svc := s.Service(); svc != nil {
		service = svc.ID
	}
	stopped := rq.exited
	for _, e := range rq.idx.plugins {
		consumer := ""
		if rq.consumer != nil {
			consumer = rq.consumer.ID
		}
		inst := e.lookup(route, service, consumer)
		if inst == nil {
			continue
		}
		rq.collected = append(rq.collected, inst)
		if !stopped && inst.access != nil {
			stopped = !rq.step(s, inst, phaseAccess)
		}
	}
}

// HeaderFilter runs the header_filter handlers of the request's plugins.
func (r *Runtime) HeaderFilter(s *proxy.State) {
	rq := r.begin(s)
	for _, inst := range rq.plugins() {
		if inst.headerFilter != nil {
			rq.step(s, inst, phaseHeaderFilter)
		}
	}
}

// BodyFilter passes a response body chunk through the body_filter
// handlers of the request's plugins.
func (r *Runtime) BodyFilter(s *proxy.State, chunk []byte, eof bool) []byte {
	rq := r.begin(s)
	for _, inst := range rq.plugins() {
		if inst.bodyFilter != nil {
			chunk = rq.bodyFilter(inst, chunk, eof)
		}
	}
	return chunk
}

// Log hands the request's log handlers a copy of the request to the log
// queue, and ends the request's plugin state.
func (r *Runtime) Log(s *proxy.State) {
	rq := r.begin(s)
	var handlers []*Instance
	for _, inst := range rq.plugins() {
		if inst.logger != nil {
			handlers = append(handlers, inst)
		}
	}
	if handlers != nil {
		r.queue.push(logJob{entry: newLogEntry(s, rq), handlers: handlers})
	}
	r.release(s, rq)
}

type phase uint8

const (
	phaseRewrite phase = iota
	phaseAccess
	phaseHeaderFilter
)

var phaseNames = [...]string{"rewrite", "access", "header_filter"}

// errPanic marks a handler that panicked (already logged).
var errPanic = errors.New("plugin panicked")

// step runs one handler of a phase and reports whether the phase goes on.
// In rewrite and access, an exit ends the phase, and an error or a panic
// becomes Kong's 500; in header_filter an error is logged and a panic
// goes on to the proxy, which answers 500 while it still can.
func (rq *request) step(s *proxy.State, inst *Instance, ph phase) bool {
	err := rq.call(inst, ph)
	switch {
	case err == nil:
		return !rq.exited
	case errors.Is(err, ErrExit):
		rq.exited = true
		return false
	}
	if s.FailRequestBody(err) { // the client's body was too large or broke off
		rq.exited = true
		return false
	}
	if err != errPanic {
		inst.log.Error("plugin failed", "phase", phaseNames[ph], "request_id", s.RequestID(), "error", err)
	}
	if ph == phaseHeaderFilter {
		if err == errPanic {
			panic(fmt.Sprintf("plugin %s panicked in header_filter", inst.Name))
		}
		return true
	}
	s.Unexpected()
	rq.exited = true
	return false
}

// call runs a handler, turning a panic into errPanic after logging it.
func (rq *request) call(inst *Instance, ph phase) (err error) {
	defer func() {
		if v := recover(); v != nil {
			inst.log.Error("plugin panicked", "phase", phaseNames[ph], "request_id", rq.pdk.state.RequestID(),
				"panic", v, "stack", string(debug.Stack()))
			err = errPanic
		}
	}()
	rq.pdk.Log, rq.pdk.instance = inst.log, inst
	switch ph {
	case phaseRewrite:
		return inst.rewrite.Rewrite(&rq.pdk)
	case phaseAccess:
		return inst.access.Access(&rq.pdk)
	default:
		return inst.headerFilter.HeaderFilter(&rq.pdk)
	}
}

// bodyFilter runs a body_filter handler; a panic is logged with the
// plugin's name and goes on to the proxy, which aborts the response.
func (rq *request) bodyFilter(inst *Instance, chunk []byte, eof bool) []byte {
	defer func() {
		if v := recover(); v != nil {
			inst.log.Error("plugin panicked", "phase", "body_filter", "request_id", rq.pdk.state.RequestID(),
				"panic", v, "stack", string(debug.Stack()))
			panic(fmt.Sprintf("plugin %s panicked in body_filter", inst.Name))
		}
	}()
	rq.pdk.Log, rq.pdk.instance = inst.log, inst
	return inst.bodyFilter.BodyFilter(&rq.pdk, chunk, eof)
}

var _ proxy.Plugins = (*Runtime)(nil)
