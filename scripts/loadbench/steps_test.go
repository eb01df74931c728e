package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/declarative"
	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/plugin"
	_ "github.com/silverback-gw/silverback/internal/plugins/bundled" // the plugins the configurations use
)

// parseKongYML validates a generated configuration with the gateway's own parser
// and returns how many rows of each entity it holds.
func parseKongYML(t *testing.T, text string) map[string]int {
	t.Helper()
	plugins, err := plugin.Load([]string{"bundled"})
	if err != nil {
		t.Fatal(err)
	}
	dc, err := declarative.Parse(entities.NewCatalog(plugins, plugins.Entities()...), []byte(text))
	if err != nil {
		t.Fatalf("the gateway refuses the configuration: %v\n%.600s", err, text)
	}
	counts := map[string]int{}
	for name, rows := range dc.Entities {
		counts[name] = len(rows)
	}
	return counts
}

func TestMemoryYML(t *testing.T) {
	got := parseKongYML(t, memoryYML(3, 5))
	want := map[string]int{"services": 1, "routes": 4, "plugins": 1, "consumers": 5, "keyauth_credentials": 5}
	for name, n := range want {
		if got[name] != n {
			t.Errorf("%s: %d rows, want %d (all: %v)", name, got[name], n, got)
		}
	}
}

// TestRebuildYML: the DB-less rebuild run's configurations give the first route the
// change's path besides its own.
func TestRebuildYML(t *testing.T) {
	y := newKongYML()
	y.prefixRoutes(3, flipPath(7))
	text := y.String()
	if got := parseKongYML(t, text)["routes"]; got != 3 {
		t.Errorf("%d routes, want 3", got)
	}
	if !strings.Contains(text, `paths: ["/r0000/", "/flip-7/"]`) || !strings.Contains(text, `paths: ["/r0002/"]`) {
		t.Errorf("unexpected routes:\n%s", text)
	}
}

// TestScenarioKongYMLs: every table scenario's configuration is one the gateway loads.
func TestScenarioKongYMLs(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 10,000 routes and consumers to parse")
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			path, err := sc.kongYML(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := parseKongYML(t, string(b))
			if sc.name == "routes-10k" && got["routes"] != manyRoutes {
				t.Errorf("%d routes, want %d", got["routes"], manyRoutes)
			}
			if sc.auth && got["keyauth_credentials"] != manyConsumers {
				t.Errorf("%d credentials, want %d", got["keyauth_credentials"], manyConsumers)
			}
		})
	}
}

func TestParseMemStatus(t *testing.T) {
	status := "Name:\tsilverback\nVmPeak:\t 2258848 kB\nVmSize:\t 2258848 kB\nVmHWM:\t  574400 kB\nVmRSS:\t  59576 kB\nThreads:\t6\n"
	m, err := parseMemStatus(status)
	if err != nil || m != (memStatus{rss: 59576, hwm: 574400}) {
		t.Errorf("parseMemStatus = %+v, %v", m, err)
	}
	for _, bad := range []string{"Name:\tkthreadd\nThreads:\t1\n", "VmHWM:\t1 kB\nVmRSS:\tlots kB\n", "VmHWM:\t1 kB\nVmRSS:\t2 MB\n"} {
		if _, err := parseMemStatus(bad); err == nil {
			t.Errorf("parseMemStatus(%q) gave no error", bad)
		}
	}
	if m, err := readMemStatus(os.Getpid()); err != nil || m.rss <= 0 || m.hwm < m.rss {
		t.Errorf("readMemStatus(self) = %+v, %v", m, err)
	}
}

func TestParseRebuilds(t *testing.T) {
	log := `2026/11/22 08:21:36 [debug] 31731#0: configuration rebuilt, generation: 1, reload: true, events: 0, took: 302.779496ms
2026/11/22 08:21:36 [notice] 31731#0: something else
2026/11/22 08:21:36 [debug] 31731#0: configuration rebuilt, generation: 2, reload: false, events: 1, took: 83.335499ms
2026/11/22 08:21:37 [debug] 31731#0: configuration rebuilt, generation: 3, reload: false, events: 2, took: 1.2s
`
	want := []rebuild{
		{generation: 1, reload: true, took: 302779496 * time.Nanosecond},
		{generation: 2, events: 1, took: 83335499 * time.Nanosecond},
		{generation: 3, events: 2, took: 1200 * time.Millisecond},
	}
	got := parseRebuilds(log)
	if len(got) != len(want) {
		t.Fatalf("parseRebuilds = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rebuild %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestPercentile(t *testing.T) {
	var xs []time.Duration
	for i := 100; i >= 1; i-- {
		xs = append(xs, time.Duration(i))
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{50, 50}, {99, 99}, {100, 100}, {1, 1}, {0.1, 1}} {
		if got := percentile(xs, c.q); got != c.want {
			t.Errorf("percentile(1..100, %v) = %v, want %v", c.q, got, c.want)
		}
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("percentile of one = %v", got)
	}
	if got := percentile(nil, 99); got != 0 {
		t.Errorf("percentile of none = %v", got)
	}
	if got := spread([]time.Duration{time.Millisecond, 3 * time.Millisecond, 2 * time.Millisecond}); got != "2.0 / 3.0 / 3.0 ms" {
		t.Errorf("spread = %q", got)
	}
}

func TestSelectScenarios(t *testing.T) {
	table, extra, err := selectScenarios("")
	if err != nil || len(table) != len(scenarios) || len(extra) != len(steps) {
		t.Errorf("default: %d scenarios, %d steps, %v; want every scenario and every step", len(table), len(extra), err)
	}
	table, extra, err = selectScenarios("rebuild, plain,memory")
	if err != nil || len(table) != 1 || table[0].name != "plain" || len(extra) != 2 || extra[0].name != "rebuild" || extra[1].name != "memory" {
		t.Errorf("rebuild,plain,memory: %v %v %v", table, extra, err)
	}
	if _, _, err := selectScenarios("plain,nope"); err == nil {
		t.Error("an unknown name was accepted")
	}
}

// TestPrintTables: the steps' tables have as many cells per row as headings.
func TestPrintTables(t *testing.T) {
	var b strings.Builder
	printMemoryTable(&b, []memoryRow{
		{store: stores[0], load: "start 1.0 s", loaded: memStatus{1024, 2048}, warm: memStatus{1024, 2048}, idle: memStatus{1024, 2048}, peak: 2048},
		{store: stores[1], load: "import not done after 4m0s"},
	})
	ch := &changes{n: 3, writes: []time.Duration{time.Millisecond, time.Millisecond}, effective: []time.Duration{80 * time.Millisecond}, late: 1, failed: 1}
	printRebuildTable(&b, []rebuildRun{
		{store: "SQLite", what: "none", m: measure{rps: []float64{100}, p99: []time.Duration{time.Millisecond}}},
		{store: "SQLite", what: "PATCH", m: measure{rps: []float64{90}, p99: []time.Duration{2 * time.Millisecond}}, ch: ch,
			rebuilds: []rebuild{{generation: 2, took: 80 * time.Millisecond}}},
	})
	text := b.String()
	for _, want := range []string{"| 2.0 MiB |", "| — | — | — | — |", "0.90×, 2.00×", "| 3, 1 refused, 1 not effective 1s after the write |", "| 1: 80.0 / 80.0 / 80.0 ms |"} {
		if !strings.Contains(text, want) {
			t.Errorf("tables lack %q:\n%s", want, text)
		}
	}
	cells := 0
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		if strings.HasPrefix(l, "| store |") { // a table's heading
			cells = strings.Count(l, "|")
		} else if strings.Count(l, "|") != cells {
			t.Errorf("row %q has not the %d separators of its heading", l, cells)
		}
	}
}
