package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/sqlite"
	"github.com/silverback-gw/silverback/internal/store/storetest"
)

func BenchmarkDAO(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B, c *entities.Catalog) store.Backend {
		s, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"), c)
		if err != nil {
			b.Fatal(err)
		}
		return s
	})
}
