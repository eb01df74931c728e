package plugin

import (
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/proxy"
)

// LogEntry is a copy of what a request left for the log phase, in the
// spirit of kong.log.serialize(): it stays valid after the request ended.
// Serialize and JSON give it Kong's serialized form.
type LogEntry struct {
	RequestID string
	StartedAt time.Time
	ClientIP  string
	Request   LogRequest
	Response  LogResponse
	// Latencies: ProxyLatency and UpstreamLatency are zero when the
	// request was not proxied.
	ProxyLatency, UpstreamLatency, ResponseLatency time.Duration
	// RequestLatency is the time from the request's start to its log
	// phase; ReceiveLatency the part of it after the upstream's response
	// headers, zero when the request was not proxied.
	RequestLatency, ReceiveLatency time.Duration
	// UpstreamURI is the path and query sent upstream, "" when no service
	// request was built.
	UpstreamURI string
	// UpstreamStatus is the status the upstream answered, 0 when none did
	// (failed tries are in Tries).
	UpstreamStatus int
	Route          *entities.Route
	Service        *entities.Service
	Consumer       *entities.Consumer
	Credential     *Credential
	// Tries are the attempts to reach upstreams; the request was proxied
	// when there is one.
	Tries []proxy.Try
	// Shared is a copy of kong.ctx.shared.
	Shared map[string]any

	json     []byte // JSON's result, once built
	jsonOnce sync.Once
}

// LogRequest is the client's request.
type LogRequest struct {
	Method, Scheme, Host, Path, RawQuery string
	// URI is the request target as sent, path and query.
	URI string
	// Port is the port the request came in on (after port_maps).
	Port int
	// Headers are the request headers, Host among them.
	Headers map[string][]string
	// Size is the bytes received: request line, headers and body read.
	Size int64
}

// LogResponse is the response sent to the client.
type LogResponse struct {
	Status  int
	Source  string
	Headers map[string][]string
	// Size is the bytes sent: status line, headers and body.
	Size int64
}

func newLogEntry(s *proxy.State, rq *request) *LogEntry {
	in, out, t := s.Request(), s.Response(), s.Timings()
	e := &LogEntry{
		RequestID: s.RequestID(), StartedAt: t.Start(), ClientIP: s.Client().ForwardedIP(),
		Request: LogRequest{Method: in.Method(), Scheme: in.Scheme(), Host: in.Host(), Path: in.RawPath(),
			RawQuery: in.RawQuery(), URI: in.URI(), Port: in.Port(), Headers: copyHeaders(in.Headers()),
			Size: s.RequestSize()},
		Response:     LogResponse{Status: out.Status(), Source: out.Source(), Size: s.ResponseSize()},
		ProxyLatency: t.ProxyLatency(), UpstreamLatency: t.UpstreamLatency(), ResponseLatency: t.ResponseLatency(),
		RequestLatency: time.Since(t.Start()),
		UpstreamURI:    s.ServiceRequest().URI(), UpstreamStatus: s.UpstreamStatus(),
		Route: s.Route(), Service: s.Service(), Consumer: rq.consumer, Credential: rq.credential,
		Tries: append([]proxy.Try(nil), s.Tries()...),
	}
	if host := in.Header("Host"); host != "" {
		if e.Request.Headers == nil {
			e.Request.Headers = map[string][]string{}
		}
		e.Request.Headers["Host"] = []string{host}
	}
	if len(e.Tries) > 0 && e.ResponseLatency > 0 {
		e.ReceiveLatency = e.RequestLatency - e.ResponseLatency
	}
	if h := out.Header(); h != nil {
		e.Response.Headers = copyHeaders(h)
	}
	if m := s.Ctx(); len(m) > 0 {
		e.Shared = maps.Clone(m)
	}
	return e
}

func copyHeaders(h proxy.HeaderReader) map[string][]string {
	if h == nil {
		return nil
	}
	out := map[string][]string{}
	h.Each(func(name, value string) bool {
		out[name] = append(out[name], value)
		return true
	})
	return out
}

type logJob struct {
	entry    *LogEntry
	handlers []*Instance
}

// logQueue runs log handlers on one goroutine, off the request path. When
// full it drops, so a slow log handler never delays clients.
type logQueue struct {
	jobs    chan logJob
	done    chan struct{}
	stopped chan struct{}
	once    sync.Once
	dropped atomic.Uint64
	log     *slog.Logger
}

func newLogQueue(size int, log *slog.Logger) *logQueue {
	q := &logQueue{jobs: make(chan logJob, size), done: make(chan struct{}), stopped: make(chan struct{}), log: log}
	go q.run()
	return q
}

func (q *logQueue) push(j logJob) {
	select {
	case q.jobs <- j:
	default:
		if n := q.dropped.Add(1); n&(n-1) == 0 { // 1, 2, 4, 8 ...: not a log line per drop
			q.log.Error("plugin log queue full: log phases dropped", "dropped", n)
		}
	}
}

func (q *logQueue) run() {
	defer close(q.stopped)
	for {
		select {
		case j := <-q.jobs:
			q.runJob(j)
		case <-q.done:
			for {
				select {
				case j := <-q.jobs:
					q.runJob(j)
				default:
					return
				}
			}
		}
	}
}

func (q *logQueue) runJob(j logJob) {
	for _, inst := range j.handlers {
		runLog(inst, j.entry)
	}
}

func runLog(inst *Instance, e *LogEntry) {
	defer func() {
		if v := recover(); v != nil {
			inst.log.Error("plugin panicked", "phase", "log", "request_id", e.RequestID, "panic", v)
		}
	}()
	inst.logger.Log(e, inst.log)
}

// close runs what is queued, then stops the worker.
func (q *logQueue) close() {
	q.once.Do(func() { close(q.done) })
	<-q.stopped
}
