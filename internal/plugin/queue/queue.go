// Package queue is Kong's kong.tools.queue for the logging plugins:
// entries (serialized requests) wait in a named queue and are handed in
// batches to a handler on a worker goroutine, never on the request's.
// A failing batch is retried with exponential backoff until
// max_retry_time; a full queue drops its oldest entries.
//
// Queues are shared by name across plugin instances, as in Kong: the
// first Enqueue creates a queue with its Config, later ones only add
// entries and replace the handler (Kong uses the latest configuration
// seen). A queue's worker stops, and the queue is forgotten, once it is
// empty.
package queue

import (
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"
)

// Handler processes a batch of entries; an error makes the queue retry
// the batch.
type Handler func(batch [][]byte) error

// Kong's constants (kong/tools/queue.lua).
const (
	// capacityWarning is the fill ratio beyond which a warning is logged.
	capacityWarning = 0.8
	// coalescePoll bounds one wait for more entries.
	coalescePoll = time.Second
	// coalesceMin: with less coalescing time left, the batch goes at once.
	coalesceMin = 50 * time.Millisecond
)

// registry holds the queues that have entries or a batch in flight.
var registry = struct {
	sync.Mutex
	queues map[string]*queue
}{queues: map[string]*queue{}}

type queue struct {
	name string
	conf Config
	log  *slog.Logger

	mu       sync.Mutex
	handler  Handler
	entries  [][]byte // oldest first
	bytes    int      // queued bytes, counted when MaxBytes is set
	warned   bool     // the capacity warning was logged
	dropping bool     // entries were dropped since the last batch
	wake     chan struct{}
}

// Enqueue adds entry to the queue called name, creating it with c (and
// starting its worker) when it does not exist; h becomes the queue's
// handler. With c.ConcurrencyLimit -1 there is no queue: entry is
// handled at once on its own goroutine. log receives the queue's
// messages. The error is Kong's for an entry larger than max_bytes.
func Enqueue(name string, c Config, h Handler, entry []byte, log *slog.Logger) error {
	if c.ConcurrencyLimit == -1 {
		q := &queue{name: name, conf: c, log: log, handler: h}
		go q.handle([][]byte{entry})
		return nil
	}
	registry.Lock()
	defer registry.Unlock()
	q := registry.queues[name]
	if q == nil {
		q = &queue{name: name, conf: c, log: log, wake: make(chan struct{}, 1)}
		registry.queues[name] = q
		go q.run()
		q.debug("queue created")
	}
	return q.add(h, entry)
}

// add appends entry, making room as Kong does.
func (q *queue) add(h Handler, entry []byte) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.handler = h
	if float64(len(q.entries)) >= float64(q.conf.MaxEntries)*capacityWarning {
		if !q.warned {
			q.warn(fmt.Sprintf("queue at %g%% capacity", capacityWarning*100))
			q.warned = true
		}
	} else {
		q.warned = false
	}
	if len(q.entries) >= q.conf.MaxEntries {
		q.err("queue full, dropping old entries until processing is successful again")
		q.dropOldest()
	}
	if limit := q.conf.MaxBytes; limit != nil {
		if len(entry) > *limit {
			err := fmt.Errorf("string to be queued is longer (%d bytes) than the queue's max_bytes (%d bytes)", len(entry), *limit)
			q.err(err.Error())
			return err
		}
		if q.bytes+len(entry) > *limit {
			dropped := 0
			for q.bytes+len(entry) > *limit {
				q.dropOldest()
				dropped++
			}
			q.err(fmt.Sprintf("byte capacity exceeded, %d queue entries were dropped", dropped))
		}
		q.bytes += len(entry)
	}
	q.entries = append(q.entries, entry)
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return nil
}

func (q *queue) dropOldest() {
	q.bytes -= len(q.entries[0])
	q.entries[0] = nil
	q.entries = q.entries[1:]
	q.dropping = true
}

// run hands batches to the handler until the queue is empty, then
// forgets the queue.
func (q *queue) run() {
	for {
		batch, ok := q.next()
		if !ok {
			q.debug("done processing queue")
			return
		}
		q.handle(batch)
	}
}

// next waits for a batch: up to max_batch_size entries, collected for at
// most max_coalescing_delay after the first. ok is false once the queue
// is empty and forgotten.
func (q *queue) next() (batch [][]byte, ok bool) {
	registry.Lock()
	q.mu.Lock()
	if len(q.entries) == 0 {
		delete(registry.queues, q.name)
		q.mu.Unlock()
		registry.Unlock()
		return nil, false
	}
	registry.Unlock()
	deadline := time.Now().Add(seconds(q.conf.MaxCoalescingDelay))
	for len(q.entries) < q.conf.MaxBatchSize {
		left := time.Until(deadline)
		if left < coalesceMin {
			break
		}
		q.mu.Unlock()
		t := time.NewTimer(min(left, coalescePoll))
		select {
		case <-q.wake:
		case <-t.C:
		}
		t.Stop()
		q.mu.Lock()
	}
	n := min(len(q.entries), q.conf.MaxBatchSize)
	batch = append([][]byte(nil), q.entries[:n]...)
	for i := range n {
		q.bytes -= len(q.entries[i])
		q.entries[i] = nil
	}
	q.entries = q.entries[n:]
	if q.dropping {
		q.info("queue resumed processing")
		q.dropping = false
	}
	q.mu.Unlock()
	return batch, true
}

// handle passes batch to the handler until it succeeds or max_retry_time
// has passed, waiting initial_retry_delay, then twice as long each time,
// at most max_retry_delay, between attempts.
func (q *queue) handle(batch [][]byte) {
	start := time.Now()
	for retry := 0; ; retry++ {
		q.debug(fmt.Sprintf("passing %d entries to handler", len(batch)))
		err := q.call(batch)
		if err == nil {
			q.debug(fmt.Sprintf("handler processed %d entries successfully", len(batch)))
			return
		}
		q.warn("handler could not process entries: " + err.Error())
		if time.Since(start).Seconds() > q.conf.MaxRetryTime {
			q.err(fmt.Sprintf("could not send entries due to max_retry_time exceeded. %d queue entries were lost", len(batch)))
			return
		}
		time.Sleep(seconds(min(q.conf.MaxRetryDelay, math.Pow(2, float64(retry))*q.conf.InitialRetryDelay)))
	}
}

// call runs the latest handler on batch; a panic is a failure.
func (q *queue) call(batch [][]byte) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("handler panicked: %v", v)
		}
	}()
	q.mu.Lock()
	h := q.handler
	q.mu.Unlock()
	return h(batch)
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func (q *queue) debug(msg string) { q.log.Debug(msg, "queue", q.name) }
func (q *queue) info(msg string)  { q.log.Info(msg, "queue", q.name) }
func (q *queue) warn(msg string)  { q.log.Warn(msg, "queue", q.name) }
func (q *queue) err(msg string)   { q.log.Error(msg, "queue", q.name) }
