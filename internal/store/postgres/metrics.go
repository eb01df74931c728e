package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The counter tables of Kong's rate-limiting plugins' cluster policy.
const (
	// RateLimitingMetrics is rate-limiting's: rows expire (ttl column).
	RateLimitingMetrics = "ratelimiting_metrics"
	// ResponseRateLimitingMetrics is response-ratelimiting's: rows never
	// expire, as in Kong.
	ResponseRateLimitingMetrics = "response_ratelimiting_metrics"
)

// MetricsKey is what the rows of one AddMetrics or Metrics call share of
// their primary key.
type MetricsKey struct {
	Identifier, ServiceID, RouteID string
}

// Metric is the rest of a counter row's primary key.
type Metric struct {
	// Period is the period's name in ratelimiting_metrics ("minute"),
	// <limit name>_<period> in response_ratelimiting_metrics.
	Period string
	// PeriodDate is the window's start.
	PeriodDate time.Time
	// TTL is how long a new ratelimiting_metrics row lives (Kong: the
	// period's expiration); unused for the other table.
	TTL time.Duration
}

// metricsSQL holds each table's statements: add upserts the rows and
// returns their new values (an expired ratelimiting_metrics row not yet
// deleted starts over), get reads the live ones. Both take the key as $1
// to $3 and the rows as arrays.
var metricsSQL = map[string]struct{ add, get string }{
	RateLimitingMetrics: {
		add: `INSERT INTO ratelimiting_metrics AS m (identifier, period, period_date, service_id, route_id, value, ttl)
SELECT $1, k.period, k.period_date, $2::uuid, $3::uuid, $4::integer, CURRENT_TIMESTAMP + make_interval(secs => k.ttl)
  FROM unnest($5::text[], $6::timestamptz[], $7::float8[]) AS k(period, period_date, ttl)
ON CONFLICT (identifier, period, period_date, service_id, route_id) DO UPDATE
   SET value = CASE WHEN m.ttl < CURRENT_TIMESTAMP THEN EXCLUDED.value ELSE COALESCE(m.value, 0) + EXCLUDED.value END,
       ttl = CASE WHEN m.ttl < CURRENT_TIMESTAMP THEN EXCLUDED.ttl ELSE m.ttl END
RETURNING m.period, COALESCE(m.value, 0)`,
		get: `SELECT m.period, COALESCE(m.value, 0) FROM ratelimiting_metrics m
  JOIN unnest($4::text[], $5::timestamptz[]) AS k(period, period_date)
    ON m.period = k.period AND m.period_date = k.period_date
 WHERE m.identifier = $1 AND m.service_id = $2::uuid AND m.route_id = $3::uuid
   AND (m.ttl IS NULL OR m.ttl >= CURRENT_TIMESTAMP)`,
	},
	ResponseRateLimitingMetrics: {
		add: `INSERT INTO response_ratelimiting_metrics AS m (identifier, period, period_date, service_id, route_id, value)
SELECT $1, k.period, k.period_date, $2::uuid, $3::uuid, $4::integer
  FROM unnest($5::text[], $6::timestamptz[]) AS k(period, period_date)
ON CONFLICT (identifier, period, period_date, service_id, route_id) DO UPDATE
   SET value = COALESCE(m.value, 0) + EXCLUDED.value
RETURNING m.period, COALESCE(m.value, 0)`,
		get: `SELECT m.period, COALESCE(m.value, 0) FROM response_ratelimiting_metrics m
  JOIN unnest($4::text[], $5::timestamptz[]) AS k(period, period_date)
    ON m.period = k.period AND m.period_date = k.period_date
 WHERE m.identifier = $1 AND m.service_id = $2::uuid AND m.route_id = $3::uuid`,
	},
}

// AddMetrics adds n to the value of each row of table (RateLimitingMetrics
// or ResponseRateLimitingMetrics) identified by key and metrics, creating
// the missing ones as Kong's INSERT ... ON CONFLICT DO UPDATE does, and
// writes the values after the addition into after. It is one statement on
// the primary, atomic against every node; the periods of metrics must
// differ.
func (b *Backend) AddMetrics(ctx context.Context, table string, key MetricsKey, metrics []Metric, n int64, after []int64) error {
	stmts, ok := metricsSQL[table]
	if !ok {
		return fmt.Errorf("postgres: %q is not a metrics table", table)
	}
	periods, dates := metricColumns(metrics)
	args := []any{key.Identifier, key.ServiceID, key.RouteID, n, periods, dates}
	if table == RateLimitingMetrics {
		ttls := make([]float64, len(metrics))
		for i, m := range metrics {
			ttls[i] = m.TTL.Seconds()
		}
		args = append(args, ttls)
	}
	clear(after)
	return b.metricsQuery(ctx, stmts.add, args, metrics, after)
}

// Metrics writes into values the value of each row of table identified by
// key and metrics, 0 for a missing (or expired) row.
func (b *Backend) Metrics(ctx context.Context, table string, key MetricsKey, metrics []Metric, values []int64) error {
	stmts, ok := metricsSQL[table]
	if !ok {
		return fmt.Errorf("postgres: %q is not a metrics table", table)
	}
	periods, dates := metricColumns(metrics)
	clear(values)
	return b.metricsQuery(ctx, stmts.get, []any{key.Identifier, key.ServiceID, key.RouteID, periods, dates}, metrics, values)
}

func metricColumns(metrics []Metric) ([]string, []time.Time) {
	periods := make([]string, len(metrics))
	dates := make([]time.Time, len(metrics))
	for i, m := range metrics {
		periods[i], dates[i] = m.Period, m.PeriodDate
	}
	return periods, dates
}

// metricsQuery runs a statement returning (period, value) rows on the
// primary within pg_timeout and writes each value at its metric's index.
func (b *Backend) metricsQuery(ctx context.Context, sql string, args []any, metrics []Metric, values []int64) error {
	ctx, cancel := b.opContext(ctx)
	defer cancel()
	conn, err := acquire(ctx, b.pool, b.wait)
	if err != nil {
		return err
	}
	defer conn.Release()
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	var period string
	var value int64
	_, err = pgx.ForEachRow(rows, []any{&period, &value}, func() error {
		for i, m := range metrics {
			if m.Period == period {
				values[i] = value
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}
