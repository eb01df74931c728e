package postgres

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/store/storetest"
)

// TestMetrics: AddMetrics upserts the rows as Kong's cluster policy does
// (value, period_date, ttl) and returns the new values; Metrics reads
// them, 0 for missing and expired rows; concurrent additions all count.
func TestMetrics(t *testing.T) {
	ctx := context.Background()
	cfg := newDatabase(t)
	bootstrap(t, cfg)
	b, err := Open(ctx, cfg, storetest.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	key := MetricsKey{Identifier: "127.0.0.1", ServiceID: "00000000-0000-0000-0000-000000000000",
		RouteID: "11111111-1111-1111-1111-111111111111"}
	minute := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	rows := []Metric{{Period: "minute", PeriodDate: minute, TTL: time.Minute},
		{Period: "day", PeriodDate: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), TTL: 24 * time.Hour}}
	after := make([]int64, 2)
	for i := int64(1); i <= 3; i++ {
		if err := b.AddMetrics(ctx, RateLimitingMetrics, key, rows, 1, after); err != nil {
			t.Fatal(err)
		}
		if after[0] != i || after[1] != i {
			t.Fatalf("addition %d: %v", i, after)
		}
	}
	if err := b.AddMetrics(ctx, RateLimitingMetrics, key, rows[:1], -1, after[:1]); err != nil || after[0] != 2 {
		t.Fatalf("giving one back: %v %v", after, err)
	}
	got := []int64{-1, -1, -1}
	missing := Metric{Period: "hour", PeriodDate: minute}
	if err := b.Metrics(ctx, RateLimitingMetrics, key, append(rows, missing), got); err != nil {
		t.Fatal(err)
	}
	if got[0] != 2 || got[1] != 3 || got[2] != 0 {
		t.Errorf("values %v, want [2 3 0]", got)
	}

	// the row is Kong's: the window's start, a ttl of the period's length
	conn := connect(t, cfg)
	defer conn.Close(ctx)
	var date time.Time
	var ttl time.Duration
	err = conn.QueryRow(ctx, `SELECT period_date, ttl - CURRENT_TIMESTAMP FROM ratelimiting_metrics
		WHERE identifier = '127.0.0.1' AND period = 'minute'`).Scan(&date, &ttl)
	if err != nil {
		t.Fatal(err)
	}
	if !date.Equal(minute) || ttl <= 50*time.Second || ttl > time.Minute {
		t.Errorf("period_date %v, ttl in %v", date, ttl)
	}

	// an expired row not yet deleted reads as 0 and starts over
	if _, err := conn.Exec(ctx, `UPDATE ratelimiting_metrics SET ttl = CURRENT_TIMESTAMP - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if err := b.Metrics(ctx, RateLimitingMetrics, key, rows[:1], got[:1]); err != nil || got[0] != 0 {
		t.Errorf("expired row reads %d (%v)", got[0], err)
	}
	if err := b.AddMetrics(ctx, RateLimitingMetrics, key, rows[:1], 1, after[:1]); err != nil || after[0] != 1 {
		t.Errorf("expired row counts from %d (%v)", after[0], err)
	}

	// response-ratelimiting's table: <name>_<period>, no ttl
	resp := []Metric{{Period: "video_minute", PeriodDate: minute}}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := b.AddMetrics(ctx, ResponseRateLimitingMetrics, key, resp, 2, make([]int64, 1)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := b.Metrics(ctx, ResponseRateLimitingMetrics, key, resp, got[:1]); err != nil || got[0] != 40 {
		t.Errorf("after 20 concurrent additions of 2: %d (%v)", got[0], err)
	}
	if err := b.AddMetrics(ctx, "services", key, resp, 1, after[:1]); err == nil {
		t.Error("AddMetrics wrote to services")
	}
}
