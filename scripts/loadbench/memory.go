package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const (
	// warmKeys is how many consumers' keys the memory step authenticates with, so
	// that their credentials are in the gateway's cache when it reads the RSS.
	warmKeys = 1000
	// idleWait is how long the memory step leaves the gateway without traffic before
	// it reads the idle RSS.
	idleWait = 15 * time.Second
	// memoryTarget is issue 6's bound on the RSS, in MiB.
	memoryTarget = 150
)

// A store is where a gateway takes its configuration from.
type store struct {
	name   string
	sqlite bool // the embedded SQLite store, filled by `config db_import`; else DB-less
}

var stores = []store{{name: "DB-less (kong.yml)"}, {name: "SQLite (config db_import)", sqlite: true}}

// memoryRow is one store's figures in the memory step.
type memoryRow struct {
	store  store
	load   string    // how long the configuration took to load, or why it did not
	loaded memStatus // once serving
	warm   memStatus // after the key-auth requests
	idle   memStatus // after idleWait without traffic
	peak   int64     // VmHWM when the last figure was read, in KiB
}

// memory is the memory step: the gateway's resident memory with manyRoutes routes and
// o.consumers consumers with a key-auth credential each, loaded DB-less and from SQLite.
func (b *bench) memory(ctx context.Context) (string, error) {
	dir := filepath.Join(b.work, "memory")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", err
	}
	yml := memoryYML(manyRoutes, b.o.consumers)
	file := filepath.Join(dir, "kong.yml")
	if err := os.WriteFile(file, []byte(yml), 0o644); err != nil {
		return "", err
	}
	logf("memory: %d routes, %d consumers (kong.yml %s)", manyRoutes, b.o.consumers, mib(int64(len(yml))/1024))
	var rows []memoryRow
	for _, st := range stores {
		row, err := b.memoryOf(ctx, st, dir, file)
		if err != nil {
			return "", fmt.Errorf("%s: %w", st.name, err)
		}
		rows = append(rows, row)
	}
	var s strings.Builder
	fmt.Fprintf(&s, "memory: %d routes, %d consumers with a key-auth credential each (kong.yml %s); target: RSS ≤ %d MB\n\n",
		manyRoutes, b.o.consumers, mib(int64(len(yml))/1024), memoryTarget)
	printMemoryTable(&s, rows)
	return s.String(), nil
}

// memoryOf loads the configuration file into a gateway on st, warms the credential
// cache and reads the gateway's memory: loaded, warm, and idle.
func (b *bench) memoryOf(ctx context.Context, st store, dir, file string) (memoryRow, error) {
	row := memoryRow{store: st}
	c := gatewayConfig{name: "gateway-memory", dir: filepath.Join(dir, "db-less"), kongYML: file}
	if st.sqlite {
		c = gatewayConfig{name: "gateway-memory", dir: filepath.Join(dir, "sqlite")}
	}
	if err := os.Mkdir(c.dir, 0o755); err != nil {
		return row, err
	}
	var imported time.Duration
	if st.sqlite {
		logf("memory: %s: importing", st.name)
		took, err := b.importSQLite(ctx, c, file, b.o.loadLimit)
		if errors.Is(err, errImportNotDone) && ctx.Err() == nil {
			logf("memory: %s: %v", st.name, err)
			row.load = fmt.Sprintf("import not done after %s", b.o.loadLimit)
			return row, nil
		}
		if err != nil {
			return row, err
		}
		imported = took
	}
	logf("memory: %s: starting the gateway", st.name)
	start := time.Now()
	p, err := b.launchGateway(ctx, c, b.o.proxyCPU)
	if err != nil {
		return row, err
	}
	defer p.stop()
	if err := waitGateway(ctx, p, c, b.o.loadLimit); err != nil {
		if ctx.Err() != nil {
			return row, err
		}
		logf("memory: %s: %v", st.name, err)
		if m, err := readMemStatus(p.pid()); err == nil {
			row.load, row.peak = fmt.Sprintf("not serving after %s (RSS then %s)", b.o.loadLimit, mib(m.rss)), m.hwm
		} else {
			row.load = "the gateway exited while loading"
		}
		return row, nil
	}
	started := time.Since(start)
	row.load = "start " + formatSeconds(started)
	if st.sqlite {
		row.load = "import " + formatSeconds(imported) + " + " + row.load
	}
	read := func(into *memStatus) error {
		m, err := readMemStatus(p.pid())
		if err != nil {
			return fmt.Errorf("%w (log: %s)", err, p.logPath)
		}
		*into, row.peak = m, m.hwm
		return nil
	}
	if err := read(&row.loaded); err != nil {
		return row, err
	}
	if err := warmCredentials(b.o.consumers); err != nil {
		return row, err
	}
	if err := read(&row.warm); err != nil {
		return row, err
	}
	logf("memory: %s: loaded in %s; RSS %s, %s after %d key-auth requests; idle for %s", st.name,
		row.load, mib(row.loaded.rss), mib(row.warm.rss), min(warmKeys, b.o.consumers), idleWait)
	select {
	case <-ctx.Done():
		return row, ctx.Err()
	case <-time.After(idleWait):
	}
	return row, read(&row.idle)
}

// warmCredentials authenticates on the key-auth route with up to warmKeys keys spread
// over the consumers, each of which must be let through to the upstream, then checks
// that an unknown key is refused.
func warmCredentials(consumers int) error {
	url := "http://" + gatewayHTTP + "/auth"
	n := min(warmKeys, consumers)
	for i := range n {
		key := consumerKey(i * consumers / n)
		status, body, err := getWith(keepAliveClient, url, key)
		if err != nil || status != http.StatusOK || string(body) != upstreamBody {
			return fmt.Errorf("GET %s with apikey %s: %d %q %v; want 200 with the upstream's body", url, key, status, body, err)
		}
	}
	if status, _, err := getWith(keepAliveClient, url, "no-such-key"); err != nil || status != http.StatusUnauthorized {
		return fmt.Errorf("GET %s with an unknown key: %d %v; want 401", url, status, err)
	}
	return nil
}

// printMemoryTable writes the memory step's rows as a Markdown table.
func printMemoryTable(w io.Writer, rows []memoryRow) {
	fmt.Fprintf(w, "| store | configuration load | RSS loaded | RSS after %d key-auth requests | RSS idle %s later | peak (VmHWM) |\n", warmKeys, idleWait)
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|")
	figure := func(m memStatus) string {
		if m == (memStatus{}) {
			return "—"
		}
		return mib(m.rss)
	}
	for _, r := range rows {
		peak := "—"
		if r.peak > 0 {
			peak = mib(r.peak)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", r.store.name, r.load, figure(r.loaded), figure(r.warm), figure(r.idle), peak)
	}
}

// formatSeconds prints a duration in seconds with one decimal, for load times.
func formatSeconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
