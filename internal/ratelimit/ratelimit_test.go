package ratelimit

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/postgres"
)

func unix(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.Unix()
}

// TestWindows: windows align on the UTC calendar as Kong's
// get_timestamps, and Reset uses Kong's fixed period lengths.
func TestWindows(t *testing.T) {
	now := unix("2024-02-29T13:45:30Z") // a leap year's last day of February
	for _, c := range []struct {
		p          Period
		start, end string
		reset      int64
	}{
		{Second, "2024-02-29T13:45:30Z", "2024-02-29T13:45:31Z", 1},
		{Minute, "2024-02-29T13:45:00Z", "2024-02-29T13:46:00Z", 30},
		{Hour, "2024-02-29T13:00:00Z", "2024-02-29T14:00:00Z", 3600 - 45*60 - 30},
		{Day, "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z", 86400 - 13*3600 - 45*60 - 30},
		{Month, "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z", 2592000 - (28*86400 + 13*3600 + 45*60 + 30)},
		{Year, "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z", 31536000 - (59*86400 + 13*3600 + 45*60 + 30)},
	} {
		start := c.p.Start(now)
		if start != unix(c.start) || c.p.End(start) != unix(c.end) || c.p.Reset(now) != c.reset {
			t.Errorf("%s: start %v end %v reset %d", c.p, time.Unix(start, 0).UTC(), time.Unix(c.p.End(start), 0).UTC(), c.p.Reset(now))
		}
	}
	// Kong's 30-day month ends before a 31-day month does: Reset is 1 at least
	if r := Month.Reset(unix("2024-01-31T12:00:00Z")); r != 1 {
		t.Errorf("reset on January 31st: %d", r)
	}
}

func TestKey(t *testing.T) {
	c := Counter{Scope: Scope{RouteID: "r", ServiceID: EmptyUUID}, Identifier: "1.2.3.4", Period: Minute, Start: 1700000040}
	if got := c.Key(); got != "ratelimit:r:00000000-0000-0000-0000-000000000000:1.2.3.4:1700000040000:minute" {
		t.Errorf("rate-limiting key %q", got)
	}
	c.Name = "video"
	if got := c.Key(); got != "response-ratelimit:r:00000000-0000-0000-0000-000000000000:1.2.3.4:1700000040000:video:minute" {
		t.Errorf("response-ratelimiting key %q", got)
	}
}

func TestFormatNumber(t *testing.T) {
	for v, want := range map[float64]string{10: "10", 7.5: "7.5", 0: "0", 1e15: "1e+15", -2: "-2"} {
		if got := FormatNumber(v); got != want {
			t.Errorf("%v: %q, want %q", v, got, want)
		}
	}
}

// TestLocal: exact under concurrency, windows expire, the size is bounded.
func TestLocal(t *testing.T) {
	l := NewLocal(localShards * 4)
	now := unix("2024-02-29T13:45:30Z")
	l.now = func() int64 { return now }
	ctx := context.Background()
	c := []Counter{{Identifier: "a", Period: Minute, Start: Minute.Start(now)}, {Identifier: "a", Period: Hour, Start: Hour.Start(now)}}
	var wg sync.WaitGroup
	seen := make([]bool, 100)
	var mu sync.Mutex
	for range 100 {
		wg.Go(func() {
			before := make([]int64, 2)
			_ = l.Add(ctx, c, 1, before)
			mu.Lock()
			if seen[before[0]] {
				t.Errorf("value %d handed out twice", before[0])
			}
			seen[before[0]] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	got := make([]int64, 2)
	_ = l.Get(ctx, c, got)
	if got[0] != 100 || got[1] != 100 {
		t.Fatalf("after 100 additions: %v", got)
	}
	now += 60 // the minute's window ended, the hour's did not
	_ = l.Get(ctx, c, got)
	if got[0] != 0 || got[1] != 100 {
		t.Errorf("a minute later: %v", got)
	}
	for i := range 10000 {
		_ = l.Add(ctx, []Counter{{Identifier: string(rune(i)), Period: Day, Start: Day.Start(now)}}, 1, got[:1])
	}
	if n := l.Len(); n > localShards*4 {
		t.Errorf("%d counters kept, more than the bound", n)
	}
}

// wrapper wraps a backend and unwraps to it, as the cluster events'
// capture.
type wrapper struct {
	store.Backend
}

func (w *wrapper) Unwrap() store.Backend { return w.Backend }

func TestPostgresOf(t *testing.T) {
	pg := &postgres.Backend{}
	if postgresOf(&wrapper{Backend: &wrapper{Backend: pg}}) != pg {
		t.Error("the backend under two wrappers was not found")
	}
	if postgresOf(&wrapper{}) != nil || postgresOf(nil) != nil {
		t.Error("a backend found where there is none")
	}
}

func TestPeriodOrder(t *testing.T) {
	if got := PeriodOrder(map[string]any{"second": 20.0, "hour": 10.0}, true); got != "The limit for hour(10.0) cannot be lower than the limit for second(20.0)" {
		t.Errorf("%q", got)
	}
	if got := PeriodOrder(map[string]any{"minute": 1.5, "day": 1.25}, false); got != "the limit for day(1.2) cannot be lower than the limit for minute(1.5)" {
		t.Errorf("%q", got)
	}
	if got := PeriodOrder(map[string]any{"second": 1.0, "year": 1.0, "month": nil}, true); got != "" {
		t.Errorf("%q", got)
	}
}
