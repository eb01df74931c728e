package queue

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// sink records the batches a handler got.
type sink struct {
	mu      sync.Mutex
	batches []string
	fail    int // the next calls that fail
	block   chan struct{}
}

func (s *sink) handle(batch [][]byte) error {
	if s.block != nil {
		<-s.block
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail > 0 {
		s.fail--
		return errors.New("receiver down")
	}
	s.batches = append(s.batches, string(bytes.Join(batch, []byte(","))))
	return nil
}

// wait returns the batches once n arrived.
func (s *sink) wait(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		got := append([]string(nil), s.batches...)
		s.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("got batches %q, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitEntries returns the batches once n entries arrived.
func (s *sink) waitEntries(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		got := append([]string(nil), s.batches...)
		s.mu.Unlock()
		if len(strings.Split(strings.Join(got, ","), ",")) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("got batches %q, want %d entries", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newLog() (*slog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

func defaults() Config {
	return Config{MaxBatchSize: 1, MaxCoalescingDelay: 1, MaxEntries: 10000, MaxRetryTime: 60,
		InitialRetryDelay: 0.01, MaxRetryDelay: 60, ConcurrencyLimit: 1}
}

// exists reports whether the queue is still registered (it has entries
// or a batch in flight).
func exists(name string) bool {
	registry.Lock()
	defer registry.Unlock()
	return registry.queues[name] != nil
}

func enqueue(t *testing.T, name string, c Config, s *sink, log *slog.Logger, entries ...string) {
	t.Helper()
	for _, e := range entries {
		if err := Enqueue(name, c, s.handle, []byte(e), log); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBatches(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		size        int
		delay       float64
		want        []string
		tookAtLeast time.Duration
		tookAtMost  time.Duration
	}{
		{"one by one", 1, 1, []string{"a", "b", "c", "d", "e"}, 0, 500 * time.Millisecond},
		{"full batches then the rest after the coalescing delay", 2, 0.2, []string{"a,b", "c,d", "e"}, 200 * time.Millisecond, 2 * time.Second},
		{"no coalescing", 10, 0, []string{"a", "b", "c", "d", "e"}, 0, 500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := defaults()
			c.MaxBatchSize, c.MaxCoalescingDelay = tc.size, tc.delay
			s := &sink{block: make(chan struct{})}
			log, _ := newLog()
			start := time.Now()
			enqueue(t, t.Name(), c, s, log, "a", "b", "c", "d", "e")
			close(s.block) // everything is queued before the first batch goes
			var got []string
			if tc.delay == 0 { // each batch is what was there when the worker looked
				got = strings.Split(strings.Join(s.waitEntries(t, len(tc.want)), ","), ",")
			} else {
				got = s.wait(t, len(tc.want))
			}
			took := time.Since(start)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("batches %q, want %q", got, tc.want)
			}
			if took < tc.tookAtLeast || took > tc.tookAtMost {
				t.Errorf("took %v", took)
			}
			waitGone(t, t.Name())
		})
	}
}

func waitGone(t *testing.T, name string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for exists(name) {
		if time.Now().After(deadline) {
			t.Fatal("the queue's worker did not stop once the queue was empty")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestRetry(t *testing.T) {
	t.Parallel()
	t.Run("backoff until the handler succeeds", func(t *testing.T) {
		t.Parallel()
		c := defaults()
		c.InitialRetryDelay = 0.05
		s := &sink{fail: 2}
		log, logs := newLog()
		start := time.Now()
		enqueue(t, t.Name(), c, s, log, "x")
		if got := s.wait(t, 1); got[0] != "x" {
			t.Errorf("batches %q", got)
		}
		// 0.05 then 0.1 seconds between the three attempts
		if took := time.Since(start); took < 150*time.Millisecond || took > 2*time.Second {
			t.Errorf("took %v", took)
		}
		if n := strings.Count(logs.String(), "handler could not process entries: receiver down"); n != 2 {
			t.Errorf("%d failure warnings:\n%s", n, logs)
		}
	})
	t.Run("the batch is dropped after max_retry_time", func(t *testing.T) {
		t.Parallel()
		c := defaults()
		c.MaxRetryTime, c.InitialRetryDelay = 0.1, 0.02
		s := &sink{fail: 1 << 30}
		log, logs := newLog()
		enqueue(t, t.Name(), c, s, log, "lost")
		waitGone(t, t.Name())
		if !strings.Contains(logs.String(), "could not send entries due to max_retry_time exceeded. 1 queue entries were lost") {
			t.Errorf("logs:\n%s", logs)
		}
		s.mu.Lock()
		s.fail = 0
		s.mu.Unlock()
		enqueue(t, t.Name(), c, s, log, "next")
		if got := s.wait(t, 1); got[0] != "next" {
			t.Errorf("batches %q", got)
		}
	})
	t.Run("max_retry_time -1 never retries", func(t *testing.T) {
		t.Parallel()
		c := defaults()
		c.MaxRetryTime = -1
		s := &sink{fail: 1}
		log, logs := newLog()
		enqueue(t, t.Name(), c, s, log, "once")
		waitGone(t, t.Name())
		if !strings.Contains(logs.String(), "1 queue entries were lost") || len(s.batches) != 0 {
			t.Errorf("batches %q, logs:\n%s", s.batches, logs)
		}
	})
}

func TestCapacity(t *testing.T) {
	t.Parallel()
	t.Run("max_entries drops the oldest", func(t *testing.T) {
		t.Parallel()
		c := defaults()
		c.MaxEntries = 3
		s := &sink{block: make(chan struct{})}
		log, logs := newLog()
		// the worker takes "1" and blocks in the handler; 2..6 wait
		enqueue(t, t.Name(), c, s, log, "1")
		waitQueued(t, t.Name(), 0)
		enqueue(t, t.Name(), c, s, log, "2", "3", "4", "5", "6")
		close(s.block)
		got := s.wait(t, 4)
		if strings.Join(got, "|") != "1|4|5|6" {
			t.Errorf("batches %q", got)
		}
		for _, msg := range []string{"queue at 80% capacity", "queue full, dropping old entries until processing is successful again", "queue resumed processing"} {
			if !strings.Contains(logs.String(), msg) {
				t.Errorf("no %q in logs:\n%s", msg, logs)
			}
		}
	})
	t.Run("max_bytes", func(t *testing.T) {
		t.Parallel()
		c := defaults()
		limit := 6
		c.MaxBytes = &limit
		s := &sink{block: make(chan struct{})}
		log, logs := newLog()
		enqueue(t, t.Name(), c, s, log, "first")
		waitQueued(t, t.Name(), 0)
		err := Enqueue(t.Name(), c, s.handle, []byte("too large"), log)
		if err == nil || err.Error() != "string to be queued is longer (9 bytes) than the queue's max_bytes (6 bytes)" {
			t.Errorf("error %v", err)
		}
		enqueue(t, t.Name(), c, s, log, "aa", "bb", "cc", "dddd")
		close(s.block)
		got := s.wait(t, 3)
		if strings.Join(got, "|") != "first|cc|dddd" {
			t.Errorf("batches %q", got)
		}
		if !strings.Contains(logs.String(), "byte capacity exceeded, 2 queue entries were dropped") {
			t.Errorf("logs:\n%s", logs)
		}
	})
}

// waitQueued waits until the queue holds n entries.
func waitQueued(t *testing.T, name string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		registry.Lock()
		q := registry.queues[name]
		registry.Unlock()
		if q != nil {
			q.mu.Lock()
			got := len(q.entries)
			q.mu.Unlock()
			if got == n {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue %s never held %d entries", name, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestUnlimitedConcurrency: with concurrency_limit -1 each entry is
// handled at once, alone, without a queue.
func TestUnlimitedConcurrency(t *testing.T) {
	t.Parallel()
	c := defaults()
	c.MaxBatchSize, c.ConcurrencyLimit = 10, -1
	s := &sink{}
	log, _ := newLog()
	enqueue(t, t.Name(), c, s, log, "a", "b")
	got := s.wait(t, 2)
	if len(got) != 2 || got[0] == got[1] || len(got[0]) != 1 {
		t.Errorf("batches %q", got)
	}
	if exists(t.Name()) {
		t.Error("a queue was created")
	}
}

// TestLatestHandler: a queue shared by name uses the handler of the last
// Enqueue, as Kong uses the latest configuration.
func TestLatestHandler(t *testing.T) {
	t.Parallel()
	c := defaults()
	old, latest := &sink{block: make(chan struct{})}, &sink{}
	log, _ := newLog()
	enqueue(t, t.Name(), c, old, log, "1")
	waitQueued(t, t.Name(), 0)
	enqueue(t, t.Name(), c, latest, log, "2")
	close(old.block)
	if got := latest.wait(t, 1); got[0] != "2" {
		t.Errorf("latest handler got %q", got)
	}
	if got := old.wait(t, 1); fmt.Sprint(got) != "[1]" {
		t.Errorf("first handler got %q", got)
	}
}

func TestLegacy(t *testing.T) {
	t.Parallel()
	n, size, flush := 23, 46, 92.0
	c, warnings := Legacy{RetryCount: &n, QueueSize: &size, FlushTimeout: &flush}.Apply(defaults())
	if c.MaxBatchSize != 46 || c.MaxCoalescingDelay != 92 || len(warnings) != 3 ||
		!strings.HasPrefix(warnings[0], "the retry_count parameter no longer works") ||
		!strings.HasPrefix(warnings[1], "the queue_size parameter is deprecated") ||
		!strings.HasPrefix(warnings[2], "the flush_timeout parameter is deprecated") {
		t.Errorf("%+v %q", c, warnings)
	}
	old, one, two := 10, 1, 2.0
	c, warnings = Legacy{RetryCount: &old, QueueSize: &one, FlushTimeout: &two}.Apply(defaults())
	if c != defaults() || warnings != nil {
		t.Errorf("old defaults changed the queue: %+v %q", c, warnings)
	}
}
