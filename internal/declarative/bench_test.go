package declarative

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// largeConfig declares n services, each with one nested route.
func largeConfig(n int) []byte {
	var b strings.Builder
	b.WriteString("_format_version: \"3.0\"\nservices:\n")
	for i := range n {
		fmt.Fprintf(&b, "- name: service-%d\n  url: http://backend-%d.internal:8080/api\n  tags: [bench]\n"+
			"  routes:\n  - name: route-%d\n    paths: [/s%d]\n    methods: [GET, POST]\n", i, i%50, i, i)
	}
	return []byte(b.String())
}

// largeJSON is largeConfig as JSON.
func largeJSON(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"_format_version":"3.0","services":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"service-%d","url":"http://backend-%d.internal:8080/api","tags":["bench"],`+
			`"routes":[{"name":"route-%d","paths":["/s%d"],"methods":["GET","POST"]}]}`, i, i%50, i, i)
	}
	b.WriteString("]}")
	return []byte(b.String())
}

func consumersConfig(n int) []byte {
	var b strings.Builder
	b.WriteString("_format_version: \"3.0\"\nconsumers:\n")
	for i := range n {
		fmt.Fprintf(&b, "- username: user-%d\n  custom_id: \"%d\"\n", i, i)
	}
	return []byte(b.String())
}

func benchmarkParse(b *testing.B, data []byte, rows int) {
	c := testCatalog()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		cfg, err := Parse(c, data)
		if err != nil {
			b.Fatal(err)
		}
		if cfg.Len() != rows {
			b.Fatalf("%d rows, want %d", cfg.Len(), rows)
		}
	}
}

// BenchmarkParse: 10,000 services and 10,000 routes.
func BenchmarkParse(b *testing.B) {
	b.Run("yaml-10k", func(b *testing.B) { benchmarkParse(b, largeConfig(10_000), 20_000) })
	b.Run("json-10k", func(b *testing.B) { benchmarkParse(b, largeJSON(10_000), 20_000) })
}

// BenchmarkParseConsumers: 100,000 consumers.
func BenchmarkParseConsumers(b *testing.B) {
	benchmarkParse(b, consumersConfig(100_000), 100_000)
}

func BenchmarkLoad(b *testing.B) {
	cfg, err := Parse(testCatalog(), largeConfig(10_000))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	db := newBenchDB()
	b.ReportAllocs()
	for b.Loop() {
		if err := Load(ctx, db, cfg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExport(b *testing.B) {
	ctx := context.Background()
	db := newBenchDB()
	cfg, err := Parse(testCatalog(), largeConfig(10_000))
	if err != nil {
		b.Fatal(err)
	}
	if err := Load(ctx, db, cfg); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Export(ctx, db); err != nil {
			b.Fatal(err)
		}
	}
}

// TestParseLarge keeps the size target in the ordinary test run: 10,000
// services with 10,000 routes parse, with their names resolved.
func TestParseLarge(t *testing.T) {
	t.Parallel()
	cfg, err := Parse(testCatalog(), largeConfig(10_000))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Entities["services"]) != 10_000 || len(cfg.Entities["routes"]) != 10_000 {
		t.Fatalf("%d services, %d routes", len(cfg.Entities["services"]), len(cfg.Entities["routes"]))
	}
	if got := cfg.Entities["routes"][9_999]["service"]; got.(map[string]any)["id"] != v5("services", "service-9999") {
		t.Errorf("last route's service = %v", got)
	}
}

// memoryConfig declares the DB-less memory target of issue 6: 10,000 prefix
// routes under one service, a key-auth route, and 100,000 consumers each
// with one key-auth credential.
func memoryConfig() []byte {
	var b strings.Builder
	b.WriteString("_format_version: \"3.0\"\nservices:\n- name: upstream\n  url: http://127.0.0.1:18080\n  routes:\n")
	for i := range 10_000 {
		fmt.Fprintf(&b, "  - name: r%04d\n    paths: [\"/r%04d/\"]\n    strip_path: false\n", i, i)
	}
	b.WriteString("  - name: auth\n    paths: [\"/auth\"]\n    plugins:\n    - name: key-auth\n      config: {key_names: [apikey]}\n")
	b.WriteString("consumers:\n")
	for i := range 100_000 {
		fmt.Fprintf(&b, "- username: c%05d\n  keyauth_credentials:\n  - key: key-%05d\n", i, i)
	}
	return []byte(b.String())
}

// liveHeap returns the bytes of live heap after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkMemoryFootprint loads memoryConfig into a memory store and
// reports the live heap the store keeps (MB-live), the measure of the
// DB-less memory target.
func BenchmarkMemoryFootprint(b *testing.B) {
	data := memoryConfig()
	ctx := context.Background()
	for b.Loop() {
		base := liveHeap()
		cfg, err := Parse(testCatalog(), data)
		if err != nil {
			b.Fatal(err)
		}
		db := newBenchDB()
		if err := Load(ctx, db, cfg); err != nil {
			b.Fatal(err)
		}
		cfg = nil
		live := liveHeap()
		b.ReportMetric(float64(live-min(live, base))/1e6, "MB-live")
		runtime.KeepAlive(db)
	}
}
