package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
)

// writeLockKey is the transaction advisory lock every Update takes first:
// Admin API writes, on every node, apply one at a time, so the DAO's
// read-check-write sequences (uniqueness, references, cascades) never
// interleave.
const writeLockKey = 0x73696c76 // "silv"

// maxAttempts bounds the runs of an Update that loses a serialization
// failure or a deadlock.
const maxAttempts = 5

// Backend is the PostgreSQL store.Backend, on a database bootstrapped by
// Kong 3.x or by Migrator.Bootstrap.
type Backend struct {
	pool *pgxpool.Pool
	ro   *pgxpool.Pool // read replica for View, or pool
	// wait and roWait bound the wait for a connection of pool and ro
	// (pg_semaphore_timeout); 0 waits as long as the context allows.
	wait, roWait time.Duration
	tables       map[string]*tableDef
	wsID         string // the default workspace
	onTx         func(ctx context.Context, tx pgx.Tx) error
	// timeout bounds each statement, begin and commit (pg_timeout); 0: none.
	timeout time.Duration
}

var _ store.Backend = (*Backend)(nil)

// Option configures Open.
type Option func(*options)

type options struct {
	ro      *conf.PG
	plugins []string
	onTx    func(ctx context.Context, tx pgx.Tx) error
}

// WithPlugins names the node's loaded plugins, whose migrations must have
// run besides core's (see NewMigrator); without it, every bundled plugin's.
func WithPlugins(plugins []string) Option { return func(o *options) { o.plugins = plugins } }

// WithReadReplica makes View read from the replica of ro (pg_ro_*); nil
// keeps reads on the primary.
func WithReadReplica(ro *conf.PG) Option { return func(o *options) { o.ro = ro } }

// WithWriteHook runs hook inside every Update transaction after its
// function succeeded, before the commit: where cluster events are inserted
// so that they commit with the change.
func WithWriteHook(hook func(ctx context.Context, tx pgx.Tx) error) Option {
	return func(o *options) { o.onTx = hook }
}

// Open connects to the database of cfg, which must be bootstrapped and up to
// date (ErrNeedsBootstrap, ErrNewMigrations otherwise), and maps the
// catalog's entities onto its tables.
func Open(ctx context.Context, cfg conf.PG, catalog *entities.Catalog, opts ...Option) (*Backend, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	pool, err := newPool(ctx, cfg, 16)
	if err != nil {
		return nil, err
	}
	b := &Backend{pool: pool, ro: pool, wait: cfg.SemaphoreTimeout, roWait: cfg.SemaphoreTimeout,
		tables: map[string]*tableDef{}, onTx: o.onTx, timeout: cfg.Timeout}
	if err := b.load(ctx, catalog, selectSubsystems(o.plugins)); err != nil {
		pool.Close()
		return nil, err
	}
	if o.ro != nil {
		if b.ro, err = newPool(ctx, *o.ro, 16); err != nil {
			pool.Close()
			return nil, err
		}
		b.roWait = o.ro.SemaphoreTimeout
	}
	return b, nil
}

// load checks the migration state, reads the default workspace and the
// tables' columns.
func (b *Backend) load(ctx context.Context, catalog *entities.Catalog, subs []subsystem) error {
	st, err := state(ctx, b.pool, subs)
	if err != nil {
		return err
	}
	if err := st.Check(); err != nil {
		return err
	}
	err = b.pool.QueryRow(ctx, `SELECT id::text FROM workspaces WHERE name = 'default'`).Scan(&b.wsID)
	if err != nil {
		return fmt.Errorf("postgres: default workspace: %w", err)
	}
	cols, err := tableColumns(ctx, b.pool)
	if err != nil {
		return fmt.Errorf("postgres: columns: %w", err)
	}
	for _, e := range catalog.All() {
		t, err := newTableDef(e, cols[e.Name])
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		b.tables[e.Name] = t
	}
	return nil
}

// Update runs fn in a read-write transaction holding the write lock. The
// lock serialises Silverback's writers; a deadlock or serialization failure
// against other clients (Kong nodes) runs fn again, up to maxAttempts
// times, so fn must not act outside the transaction before it returns.
func (b *Backend) Update(ctx context.Context, fn func(store.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := b.run(ctx, b.pool, b.wait, pgx.TxOptions{}, true, fn)
		if code := pgCode(err); (code != "40001" && code != "40P01") || attempt == maxAttempts-1 {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(retryDelay(attempt)):
		}
	}
}

// retryDelay is the pause before retrying a transaction that lost a
// serialization race, growing with the attempt.
func retryDelay(attempt int) time.Duration {
	return time.Duration(attempt+1) * 5 * time.Millisecond
}

// View runs fn in a read-only transaction on one snapshot.
func (b *Backend) View(ctx context.Context, fn func(store.Tx) error) error {
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	return b.run(ctx, b.ro, b.roWait, opts, false, fn)
}

func (b *Backend) run(ctx context.Context, pool *pgxpool.Pool, wait time.Duration, opts pgx.TxOptions, write bool, fn func(store.Tx) error) error {
	conn, err := acquire(ctx, pool, wait)
	if err != nil {
		return err
	}
	defer conn.Release()
	bctx, cancel := b.opContext(ctx)
	raw, err := conn.BeginTx(bctx, opts)
	cancel()
	if err != nil {
		return err
	}
	var ptx pgx.Tx = raw
	if b.timeout > 0 {
		ptx = timedTx{Tx: raw, timeout: b.timeout}
	}
	if err := b.body(ctx, ptx, write, fn); err != nil {
		rctx, cancel := b.opContext(context.WithoutCancel(ctx))
		defer cancel()
		_ = raw.Rollback(rctx) // the connection is discarded if this fails too
		return err
	}
	cctx, cancel := b.opContext(ctx)
	defer cancel()
	return raw.Commit(cctx)
}

// body runs fn inside an open transaction: the cluster-wide write lock
// first for writes, the write hook last.
func (b *Backend) body(ctx context.Context, ptx pgx.Tx, write bool, fn func(store.Tx) error) error {
	if write {
		if _, err := ptx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, writeLockKey); err != nil {
			return fmt.Errorf("postgres: write lock: %w", err)
		}
	}
	if err := fn(&tx{b: b, tx: ptx}); err != nil {
		return err
	}
	if write && b.onTx != nil {
		return b.onTx(ctx, ptx)
	}
	return nil
}

// opContext bounds one database operation by pg_timeout.
func (b *Backend) opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if b.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, b.timeout)
}

// acquire takes a connection of pool, waiting at most wait when not 0.
func acquire(ctx context.Context, pool *pgxpool.Pool, wait time.Duration) (*pgxpool.Conn, error) {
	actx := ctx
	if wait > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, wait)
		defer cancel()
	}
	conn, err := pool.Acquire(actx)
	if err != nil {
		if ctx.Err() == nil && actx.Err() != nil {
			return nil, fmt.Errorf("postgres: no connection free within pg_semaphore_timeout (%v): %w", wait, err)
		}
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return conn, nil
}

// Close closes the pools.
func (b *Backend) Close() error {
	if b.ro != b.pool {
		b.ro.Close()
	}
	b.pool.Close()
	return nil
}

func (b *Backend) table(name string) (*tableDef, error) {
	t, ok := b.tables[name]
	if !ok {
		return nil, fmt.Errorf("postgres: unknown table %q", name)
	}
	return t, nil
}
