package cluster

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// lookback widens each poll's window beyond Kong's (last poll - offset -
// 1 ms) to catch events inserted just before another transaction's commit;
// remembered ids keep them from being applied twice.
const lookback = time.Second

// pageSize is the number of events read per query, as Kong's.
const pageSize = 1000

const selectEvents = `SELECT id::text, data, nbf
FROM cluster_events
WHERE channel = ANY($1) AND node_id <> $2::uuid AND at > $3 AND at <= $4
ORDER BY at LIMIT $5 OFFSET $6`

// poller is the state of the polling goroutine.
type poller struct {
	last time.Time            // the database time of the last successful poll
	seen map[string]time.Time // applied event ids, until when to remember them
	down bool                 // the last poll failed
}

// poll reads new events every db_update_frequency, or at once when a
// NOTIFY arrived, until ctx ends. After a failed poll, the next successful
// one rebuilds everything: events may have been missed.
func (c *Cluster) poll(ctx context.Context) {
	p := &poller{seen: map[string]time.Time{}}
	t := time.NewTicker(c.opts.Frequency)
	defer t.Stop()
	for {
		err := c.pollOnce(ctx, p)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && !p.down:
			c.log.Error("could not poll cluster events; the database is unreachable", "error", err)
			p.down = true
		case err == nil && p.down:
			c.log.Info("cluster events polling resumed; reloading the configuration")
			p.down = false
			c.deliver([]Invalidation{{All: true}})
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-c.wake:
		}
	}
}

// kick makes the poller poll now.
func (c *Cluster) kick() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// pollOnce reads the events of other nodes since the last poll, as Kong's
// postgres strategy: at > last - db_update_propagation, at <= now, pages of
// 1000 in order of at; events whose nbf is in the future are applied then.
func (c *Cluster) pollOnce(ctx context.Context, p *poller) error {
	qctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	var now time.Time
	if err := c.pool.QueryRow(qctx, `SELECT date_trunc('milliseconds', CURRENT_TIMESTAMP)`).Scan(&now); err != nil {
		return err
	}
	if p.last.IsZero() {
		p.last = now
	}
	since := p.last.Add(-c.opts.Propagation - lookback - time.Millisecond)
	channels := []string{ChannelCore, ChannelInvalidations}
	var ready []Invalidation
	deferred := map[time.Time][]Invalidation{} // by nbf: one per transaction
	for page := 0; ; page++ {
		rows, err := c.pool.Query(qctx, selectEvents, channels, c.opts.NodeID, since, now, pageSize, page*pageSize)
		if err != nil {
			return err
		}
		var id, data string
		var nbf *time.Time
		n := 0
		_, err = pgx.ForEachRow(rows, []any{&id, &data, &nbf}, func() error {
			n++
			if _, dup := p.seen[id]; dup {
				return nil
			}
			p.seen[id] = time.Now().Add(2*c.opts.Frequency + c.opts.Propagation + 2*lookback)
			inv := Invalidation{Key: data}
			if nbf != nil && nbf.After(now) {
				deferred[*nbf] = append(deferred[*nbf], inv)
				return nil
			}
			ready = append(ready, inv)
			return nil
		})
		if err != nil {
			return err
		}
		if n < pageSize {
			break
		}
	}
	p.last = now
	for id, until := range p.seen {
		if time.Now().After(until) {
			delete(p.seen, id)
		}
	}
	c.deliver(ready)
	for nbf, invs := range deferred {
		c.later(ctx, nbf.Sub(now), invs)
	}
	return nil
}

// later applies events after d, when their nbf (not before) time comes,
// unless the cluster closes first.
func (c *Cluster) later(ctx context.Context, d time.Duration, invs []Invalidation) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
			c.deliver(invs)
		}
	}()
}

// timeout bounds each database round trip of the cluster: pg_timeout, else
// Kong's default of 5 s.
func (c *Cluster) timeout() time.Duration {
	if c.opts.PG.Timeout > 0 {
		return c.opts.PG.Timeout
	}
	return 5 * time.Second
}
