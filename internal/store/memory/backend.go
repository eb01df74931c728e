package memory

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
)

// Backend is the in-memory store.Backend.
type Backend struct {
	mu     sync.RWMutex
	tables map[string]*table
	closed bool
}

var _ store.Backend = (*Backend)(nil)

// New returns an empty Backend with one table per entity of the catalog.
func New(catalog *entities.Catalog) *Backend {
	b := &Backend{tables: map[string]*table{}}
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
	return fn(&tx{b: b})
}

// ViewShared is View handing out the stored rows themselves, for readers
// that never modify them (store.DB.ViewShared): rows are never changed in
// place, a write replaces them, so a shared row stays valid after it.
func (b *Backend) ViewShared(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return errClosed
	}
	return fn(&tx{b: b, shared: true})
}

var _ store.SharedViewer = (*Backend)(nil)

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
