package memory

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/internal/rowjson"
)

// Backend is the in-memory store.Backend.
type Backend struct {
	mu     sync.RWMutex
	tables map[string]*table
	closed bool
	// decoders pools the transactions' row decoders, which keep the
	// interned field names of earlier reads.
	decoders sync.Pool
}

var _ store.Backend = (*Backend)(nil)

// New returns an empty Backend with one table per entity of the catalog.
func New(catalog *entities.Catalog) *Backend {
	b := &Backend{tables: map[string]*table{}}
	b.decoders.New = func() any { return new(rowjson.Decoder) }
	for _, e := range catalog.All() {
		b.tables[e.Name] = newTable(e)
	}
	return b
}

// Update runs fn in the one read-write transaction; when fn returns an
// error every change it made is undone.
func (b *Backend) Update(ctx context.Context, fn func(store.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errClosed
	}
	t := &tx{b: b, writable: true}
	defer t.done()
	defer func() {
		if r := recover(); r != nil {
			t.rollback()
			panic(r)
		}
		if err != nil {
			t.rollback()
		}
	}()
	return fn(t)
}

// View runs fn in a read-only transaction; many may run at once.
func (b *Backend) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return errClosed
	}
	t := &tx{b: b}
	defer t.done()
	return fn(t)
}

// Close drops every row; later transactions fail.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	b.tables = nil
	return nil
}

var (
	errClosed   = errors.New("memory store is closed")
	errReadOnly = errors.New("write in a read-only transaction")
)

func (b *Backend) table(name string) (*table, error) {
	t, ok := b.tables[name]
	if !ok {
		return nil, fmt.Errorf("unknown table %q", name)
	}
	return t, nil
}
