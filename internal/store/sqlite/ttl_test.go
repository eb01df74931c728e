package sqlite

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/storetest"
)

// TestTTL runs the shared TTL checks on a file store; it lives inside the
// package to set its clock.
func TestTTL(t *testing.T) {
	open := func(t *testing.T, c *entities.Catalog) store.Backend {
		b, err := Open(filepath.Join(t.TempDir(), "ttl.db"), c)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	storetest.TTL(t, open, func(f func() time.Time) { now = f })
}
