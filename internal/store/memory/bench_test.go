package memory_test

import (
	"testing"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/store"
	"github.com/silverback-gw/silverback/internal/store/memory"
	"github.com/silverback-gw/silverback/internal/store/storetest"
)

func BenchmarkDAO(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B, c *entities.Catalog) store.Backend { return memory.New(c) })
}
