package cluster

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// minExpiry is the shortest lifetime of a cluster_events row (Kong keeps
// events max(db_update_propagation × 10, 3600) seconds).
const minExpiry = time.Hour

const insertEvents = `INSERT INTO cluster_events (id, node_id, at, nbf, expire_at, channel, data)
SELECT e.id::uuid, $1::uuid, t.at,
       CASE WHEN $2::float8 > 0 THEN t.at + make_interval(secs => $2::float8) END,
       t.at + make_interval(secs => $3::float8), e.channel, e.data
FROM (SELECT date_trunc('milliseconds', clock_timestamp()) AS at) t,
     unnest($4::text[], $5::text[], $6::text[]) AS e(id, channel, data)`

// Hook is the store's write hook (postgres.WithWriteHook): inside the
// write transaction, it inserts one cluster_events row per cache key the
// transaction invalidates (recorded by the Wrap backend) and notifies the
// listening nodes, so that the events commit with the change. "at" is the
// time of the insert, just before the commit, so that pollers reading up
// to their database's current time do not skip a long transaction's events.
func (c *Cluster) Hook(ctx context.Context, tx pgx.Tx) error {
	col, _ := ctx.Value(keysKey{}).(*collector)
	if col == nil || len(col.keys) == 0 {
		return nil
	}
	ws, err := c.workspace(ctx, tx)
	if err != nil {
		return err
	}
	n := len(col.keys)
	ids, channels, data := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	for _, key := range col.keys {
		if strings.HasSuffix(key, ":") {
			key += ws // Kong's cache keys end with the workspace id
		}
		table, _, _ := strings.Cut(key, ":")
		ch := ChannelInvalidations
		if coreTables[table] {
			ch = ChannelCore
		}
		ids, channels, data = append(ids, uuid.NewString()), append(channels, ch), append(data, key)
	}
	expiry := max(10*c.opts.Propagation, minExpiry)
	_, err = tx.Exec(ctx, insertEvents, c.opts.NodeID, c.opts.Propagation.Seconds(), expiry.Seconds(),
		ids, channels, data)
	if err != nil {
		return fmt.Errorf("cluster_events: %w", err)
	}
	if c.opts.NoNotify {
		return nil
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, notifyChannel, c.opts.NodeID); err != nil {
		return fmt.Errorf("cluster_events notify: %w", err)
	}
	return nil
}

// workspace returns the default workspace's id, read once.
func (c *Cluster) workspace(ctx context.Context, tx pgx.Tx) (string, error) {
	c.wsMu.Lock()
	defer c.wsMu.Unlock()
	if c.wsID == "" {
		err := tx.QueryRow(ctx, `SELECT id::text FROM workspaces WHERE name = 'default'`).Scan(&c.wsID)
		if err != nil {
			return "", fmt.Errorf("cluster_events: default workspace: %w", err)
		}
	}
	return c.wsID, nil
}
