package cluster

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// listen keeps a dedicated connection LISTENing to the write transactions'
// NOTIFY and wakes the poller when another node committed, reconnecting
// with a growing pause (up to db_update_frequency) until ctx ends.
func (c *Cluster) listen(ctx context.Context) {
	const minPause = 100 * time.Millisecond
	pause := minPause
	for {
		connected, err := c.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if connected {
			pause = minPause
		}
		c.log.Debug("cluster events LISTEN connection lost; reconnecting", "error", err, "in", pause)
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		pause = min(2*pause, max(c.opts.Frequency, minPause))
	}
}

// listenOnce connects, LISTENs and wakes the poller on every notification
// from another node until the connection fails. It reports whether LISTEN
// succeeded.
func (c *Cluster) listenOnce(ctx context.Context) (bool, error) {
	cc, err := connConfig(c.opts.PG)
	if err != nil {
		return false, err
	}
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return false, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), c.timeout())
		defer cancel()
		conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return false, err
	}
	c.kick() // notifications may have been missed while not listening
	idle := max(c.opts.Frequency, time.Second)
	for {
		wctx, cancel := context.WithTimeout(ctx, idle)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return true, ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			// Quiet for a while: check that the server still answers, since
			// a connection cut without a reset would otherwise wait forever.
			if err := c.ping(ctx, conn); err != nil {
				return true, err
			}
		case err != nil:
			return true, err
		case n.Payload != c.opts.NodeID:
			c.kick()
		}
	}
}

// ping checks conn within pg_timeout.
func (c *Cluster) ping(ctx context.Context, conn *pgx.Conn) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	return conn.Ping(ctx)
}
