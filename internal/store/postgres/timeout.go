package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// timedTx bounds each statement of a transaction by pg_timeout, as Kong's
// socket timeouts bound each database operation: a database that stops
// answering (without closing the connection) fails the statement instead
// of hanging the Admin API.
type timedTx struct {
	pgx.Tx
	timeout time.Duration
}

func (t timedTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	return t.Tx.Exec(ctx, sql, args...)
}

func (t timedTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	rows, err := t.Tx.Query(ctx, sql, args...)
	if err != nil {
		cancel()
		return nil, err
	}
	return &timedRows{Rows: rows, cancel: cancel}, nil
}

func (t timedTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	return timedRow{row: t.Tx.QueryRow(ctx, sql, args...), cancel: cancel}
}

func (t timedTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	return &timedBatch{BatchResults: t.Tx.SendBatch(ctx, b), cancel: cancel}
}

// timedRows releases the statement's deadline once the rows are read.
type timedRows struct {
	pgx.Rows
	cancel context.CancelFunc
}

func (r *timedRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.cancel()
	return false
}

func (r *timedRows) Close() {
	r.Rows.Close()
	r.cancel()
}

type timedRow struct {
	row    pgx.Row
	cancel context.CancelFunc
}

func (r timedRow) Scan(dest ...any) error {
	defer r.cancel()
	return r.row.Scan(dest...)
}

type timedBatch struct {
	pgx.BatchResults
	cancel context.CancelFunc
}

func (b *timedBatch) Close() error {
	defer b.cancel()
	return b.BatchResults.Close()
}
