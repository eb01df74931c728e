package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"

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
	// writeStmts and readStmts are each pool's prepared statements.
	writeStmts, readStmts stmts
}

var _ store.Backend = (*Backend)(nil)

// Open opens (creating if needed) the SQLite database file at path and
// makes sure it has a table for every entity of the catalog. In-memory
// databases are refused: each connection would get its own; DB-less mode
// and tests that need no file use package memory.
func Open(path string, catalog *entities.Catalog) (*Backend, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: %q is not a file path", path)
	}
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
	if b.read, err = sql.Open("sqlite", dsn(path, "_pragma=query_only(1)")); err != nil {
		b.write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	b.read.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	b.read.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)))
	if err := b.prepare(context.Background()); err != nil {
		_ = b.Close() // the preparation error is the one to report
		return nil, fmt.Errorf("sqlite: prepare %s: %w", path, err)
	}
	return b, nil
}

// prepare creates or migrates the tables, then prepares the statements.
func (b *Backend) prepare(ctx context.Context) error {
	if err := b.migrate(ctx); err != nil {
		return err
	}
	var reads, writes []string
	for _, t := range b.tables {
		reads = append(reads, t.readQueries()...)
		writes = append(writes, t.writeQueries()...)
	}
	var err error
	if b.readStmts, err = prepare(ctx, b.read, reads); err != nil {
		return err
	}
	b.writeStmts, err = prepare(ctx, b.write, append(reads, writes...))
	return err
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
	return b.run(ctx, b.write, b.writeStmts, nil, fn)
}

// View runs fn in a read-only transaction, on a snapshot of the database.
func (b *Backend) View(ctx context.Context, fn func(store.Tx) error) error {
	return b.run(ctx, b.read, b.readStmts, &sql.TxOptions{ReadOnly: true}, fn)
}

func (b *Backend) run(ctx context.Context, db *sql.DB, st stmts, opts *sql.TxOptions, fn func(store.Tx) error) (err error) {
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
	if err := fn(&tx{b: b, tx: sqlTx, stmts: st}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// Close closes the database.
func (b *Backend) Close() error {
	return errors.Join(b.readStmts.close(), b.writeStmts.close(), b.read.Close(), b.write.Close())
}

func (b *Backend) table(name string) (*tableDef, error) {
	t, ok := b.tables[name]
	if !ok {
		return nil, fmt.Errorf("sqlite: unknown table %q", name)
	}
	return t, nil
}
