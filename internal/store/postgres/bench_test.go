package postgres

import (
	"testing"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/storetest"
)

// BenchmarkDAO runs the DAO benchmarks (inserts, lookups, pages by tag and
// foreign key) on a fresh database each.
func BenchmarkDAO(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B, c *entities.Catalog) store.Backend { return openNew(b, c) })
}
