package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/sqlite"
	"github.com/silverback-gw/silverback/internal/store/storetest"
)

// open opens a backend on a fresh file in the test's temporary directory.
func open(t *testing.T, c *entities.Catalog) store.Backend {
	t.Helper()
	b, err := sqlite.Open(filepath.Join(t.TempDir(), "silverback.db"), c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, c *entities.Catalog) store.Backend { return open(t, c) })
}
