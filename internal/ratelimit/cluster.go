package ratelimit

import (
	"context"
	"sync"
	"time"

	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/postgres"
)

// Cluster is the cluster policy: counters in the database's
// ratelimiting_metrics and response_ratelimiting_metrics tables, shared by
// every node on the database. Each call is one statement, whose upsert
// serialises concurrent requests on the rows, so the limits hold exactly
// across nodes.
type Cluster struct {
	db *postgres.Backend
}

var _ Policy = (*Cluster)(nil)

// clusterPolicies caches ClusterPolicy's answer per store.
var clusterPolicies sync.Map // *store.DB → Policy

// ClusterPolicy returns the cluster policy on db. On PostgreSQL, the
// counters live in the metrics tables; another store (SQLite or the
// memory of a DB-less node) belongs to one node, which is then the whole
// cluster: it counts in its memory, as the local policy does.
func ClusterPolicy(db *store.DB) Policy {
	if p, ok := clusterPolicies.Load(db); ok {
		return p.(Policy)
	}
	var p Policy = NodeLocal()
	if pg := postgresOf(db.Backend()); pg != nil {
		p = &Cluster{db: pg}
	}
	clusterPolicies.Store(db, p)
	return p
}

// postgresOf returns the PostgreSQL backend under b, nil when there is
// none. It looks through wrappers with an Unwrap method (the cluster
// events' capture).
func postgresOf(b store.Backend) *postgres.Backend {
	for b != nil {
		switch w := b.(type) {
		case *postgres.Backend:
			return w
		case interface{ Unwrap() store.Backend }:
			b = w.Unwrap()
		default:
			return nil
		}
	}
	return nil
}

// Add implements Policy.
func (c *Cluster) Add(ctx context.Context, counters []Counter, n int64, before []int64) error {
	return c.each(counters, before, func(table string, key postgres.MetricsKey, rows []postgres.Metric, values []int64) error {
		if err := c.db.AddMetrics(ctx, table, key, rows, n, values); err != nil {
			return err
		}
		for i := range values {
			values[i] -= n
		}
		return nil
	})
}

// Get implements Policy.
func (c *Cluster) Get(ctx context.Context, counters []Counter, values []int64) error {
	return c.each(counters, values, func(table string, key postgres.MetricsKey, rows []postgres.Metric, values []int64) error {
		return c.db.Metrics(ctx, table, key, rows, values)
	})
}

// each calls fn once per run of counters sharing a table and a key (the
// plugins pass a single run), with the rows' part of values.
func (c *Cluster) each(counters []Counter, values []int64, fn func(string, postgres.MetricsKey, []postgres.Metric, []int64) error) error {
	rows := make([]postgres.Metric, len(counters))
	for i := range counters {
		rows[i] = metric(&counters[i])
	}
	for lo := 0; lo < len(counters); {
		hi := lo + 1
		for hi < len(counters) && sameRow(&counters[lo], &counters[hi]) {
			hi++
		}
		first := &counters[lo]
		key := postgres.MetricsKey{Identifier: first.Identifier, ServiceID: first.ServiceID, RouteID: first.RouteID}
		if err := fn(table(first), key, rows[lo:hi], values[lo:hi]); err != nil {
			return err
		}
		lo = hi
	}
	return nil
}

// sameRow reports whether a and b differ only by period.
func sameRow(a, b *Counter) bool {
	return a.Scope == b.Scope && a.Identifier == b.Identifier && a.Name == b.Name
}

func table(c *Counter) string {
	if c.Name == "" {
		return postgres.RateLimitingMetrics
	}
	return postgres.ResponseRateLimitingMetrics
}

// metric returns the counter's row as Kong writes it: the period's name,
// <limit name>_<period> for response-ratelimiting.
func metric(c *Counter) postgres.Metric {
	m := postgres.Metric{Period: c.Period.String(), PeriodDate: time.Unix(c.Start, 0).UTC(),
		TTL: time.Duration(c.Period.Expiration()) * time.Second}
	if c.Name != "" {
		m.Period = c.Name + "_" + m.Period
	}
	return m
}
