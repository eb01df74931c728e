package memory

import (
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/storetest"
)

// TestTTL runs the shared TTL checks; it lives inside the package to set
// its clock.
func TestTTL(t *testing.T) {
	storetest.TTL(t, func(_ *testing.T, c *entities.Catalog) store.Backend { return New(c) },
		func(f func() time.Time) { now = f })
}
