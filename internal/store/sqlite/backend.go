package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// busyTimeoutMs is how long a statement waits for a lock another process
// holds before failing with SQLITE_BUSY.
const busyTimeoutMs = 10000

// Backend is the SQLite store.Backend.
type Backend struct {
	write  *sql.DB // one connection; transactions BEGIN IMMEDIATE
	read   *sql.DB // read-only transactions, many at once
	tables map[string]*tableDef
}

var _ store.Backend = (*Backend)(nil)

// Open opens (creating if needed) the SQLite database at path and makes
// sure it has a table for every entity of the catalog.
func Open(path string, catalog *entities.Catalog) (*Backend, error) {
	b := &Backend{tables: map[string]*tableDef{}}
	for _, e := range catalog.All() {
		t, err := newTableDef(e)
		if err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		b.tables[e.Name] = t
	}
	var err error
	if b.write, err = sql.Open("sqlite", dsn(path, "_txlock=immediate")); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	b.write.SetMaxOpenConns(1)
	b.write.SetConnMaxIdleTime(0)
	if err := b.migrate(context.Background()); err != nil {
		b.write.Close()
		return nil, fmt.Errorf("sqlite: prepare %s: %w", path, err)
	}
	if b.read, err = sql.Open("sqlite", dsn(path, "_pragma=query_only(1)")); err != nil {
		b.write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	b.read.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	b.read.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)))
	return b, nil
}

// dsn returns the data source name of path with the pragmas every
// connection needs, plus extra.
func dsn(path, extra string) string {
	u := url.URL{Scheme: "file", Opaque: url.PathEscape(path)}
	q := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&%s",
		busyTimeoutMs, extra)
	return u.String() + "?" + q
}

// Update runs fn in the write transaction; it commits when fn returns nil
// and rolls back otherwise.
func (b *Backend) Update(ctx context.Context, fn func(store.Tx) error) error {
	return b.run(ctx, b.write, nil, fn)
}

// View runs fn in a read-only transaction, on a snapshot of the database.
func (b *Backend) View(ctx context.Context, fn func(store.Tx) error) error {
	return b.run(ctx, b.read, &sql.TxOptions{ReadOnly: true}, fn)
}

func (b *Backend) run(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(store.Tx) error) (err error) {
	sqlTx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = sqlTx.Rollback() // the transaction failed already; its error is the one to report
		}
	}()
	defer func() {
		if r := recover(); r != nil {
			_ = sqlTx.Rollback()
			panic(r)
		}
	}()
	if err := fn(&tx{b: b, tx: sqlTx}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// Close closes the database.
func (b *Backend) Close() error {
	var errs []error
	if b.read != nil {
		errs = append(errs, b.read.Close())
	}
	errs = append(errs, b.write.Close())
	return errors.Join(errs...)
}

func (b *Backend) table(name string) (*tableDef, error) {
	t, ok := b.tables[name]
	if !ok {
		return nil, fmt.Errorf("sqlite: unknown table %q", name)
	}
	return t, nil
}
