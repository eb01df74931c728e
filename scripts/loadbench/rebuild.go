package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	// patchEvery paces the route changes through the Admin API in SQLite mode: 10 a
	// second, issue 6's rate.
	patchEvery = 100 * time.Millisecond
	// postEvery paces the DB-less POST /config of the whole configuration.
	postEvery = time.Second
	// effectiveLimit bounds the polling for one change to show on the proxy.
	effectiveLimit = time.Second
	// pollEvery is the polling interval: the resolution of "effective after".
	pollEvery = 5 * time.Millisecond
	// rebuildTarget is issue 6's bound on one snapshot rebuild.
	rebuildTarget = 50 * time.Millisecond
)

// rebuildPath is what the rebuild step's wrk loads: a route in the middle.
var rebuildPath = "/" + prefixRouteName(manyRoutes/2) + "/x"

// flipPath is the path the i-th change adds to the first route; the proxy answers it
// once the change is in its snapshot.
func flipPath(i int) string { return fmt.Sprintf("/flip-%d/", i) }

// changes is what the configuration changes of one run add up to.
type changes struct {
	n         int             // changes begun, numbering their flipPath
	writes    []time.Duration // the Admin API's answer to each accepted write
	effective []time.Duration // from sending the write to its path answering 200
	late      int             // writes not effective within effectiveLimit of their answer
	failed    int             // writes the Admin API did not accept
}

// change is one configuration change through the Admin API: the first route gets
// flipPath(i) (an error when the Admin API refuses it).
type change func(ctx context.Context, i int) error

// loop makes changes every interval until ctx ends (the round's end), at most as
// many as fit in limit, and times each one until it is effective on the proxy.
func (c *changes) loop(ctx context.Context, every, limit time.Duration, write change) {
	for range int(limit/every) + 1 {
		t0 := time.Now()
		c.n++
		err := write(ctx, c.n)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			c.failed++
			if c.failed == 1 { // the first says why; the count says how often
				logf("rebuild: change %d: %v", c.n, err)
			}
		} else {
			c.writes = append(c.writes, time.Since(t0))
			if c.awaitEffective(ctx, c.n, t0) && ctx.Err() == nil {
				c.late++
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(t0.Add(every))):
		}
	}
}

// awaitEffective polls flipPath(i) on the proxy until it answers 200, for at most
// effectiveLimit after the write was accepted, and records the time from t0, when the
// write was sent; it reports a miss.
func (c *changes) awaitEffective(ctx context.Context, i int, t0 time.Time) (missed bool) {
	url := "http://" + gatewayHTTP + flipPath(i) + "x"
	deadline := time.Now().Add(effectiveLimit)
	for ctx.Err() == nil && time.Now().Before(deadline) {
		if status, _, err := getWith(keepAliveClient, url, ""); err == nil && status == http.StatusOK {
			c.effective = append(c.effective, time.Since(t0))
			return false
		}
		select {
		case <-ctx.Done():
		case <-time.After(pollEvery):
		}
	}
	return true
}

// patchRoute is the SQLite run's change: PATCH /routes/r0000 with its own path and
// flipPath(i), which makes the gateway rebuild its snapshot.
func patchRoute(ctx context.Context, i int) error {
	body, _ := json.Marshal(map[string][]string{"paths": {"/" + prefixRouteName(0) + "/", flipPath(i)}})
	return adminWrite(ctx, http.MethodPatch, "/routes/"+prefixRouteName(0), body, http.StatusOK)
}

// postConfig is the DB-less run's change: POST /config of the whole configuration,
// the first route with flipPath(i).
func postConfig(ctx context.Context, i int) error {
	y := newKongYML()
	y.prefixRoutes(manyRoutes, flipPath(i))
	body, _ := json.Marshal(map[string]string{"config": y.String()})
	return adminWrite(ctx, http.MethodPost, "/config", body, http.StatusCreated)
}

// adminWrite sends a JSON body to the Admin API and checks the status it answers.
func adminWrite(ctx context.Context, method, path string, body []byte, want int) error {
	req, err := http.NewRequestWithContext(ctx, method, "http://"+gatewayAdmin+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	status, answer, err := do(keepAliveClient, req)
	if err != nil {
		return err
	}
	if status != want {
		return fmt.Errorf("%s %s: %d %.200q; want %d", method, path, status, answer, want)
	}
	return nil
}

// A rebuildRun is one row of the rebuild step: a gateway on one store, loaded with or
// without configuration changes.
type rebuildRun struct {
	store    string
	what     string   // the changes, or "none"
	m        measure  // wrk's rounds
	ch       *changes // nil without changes
	rebuilds []rebuild
}

// rebuild is the rebuild step: manyRoutes prefix routes, one route loaded by wrk while
// another changes through the Admin API, against the same load without changes, in
// interleaved rounds: on SQLite with PATCH 10 times a second (issue 6's target), then
// DB-less with POST /config of the whole configuration once a second (one round each).
func (b *bench) rebuild(ctx context.Context) (string, error) {
	dir := filepath.Join(b.work, "rebuild")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", err
	}
	y := newKongYML()
	y.prefixRoutes(manyRoutes, "")
	file := filepath.Join(dir, "kong.yml")
	if err := os.WriteFile(file, []byte(y.String()), 0o644); err != nil {
		return "", err
	}

	profile := b.o.profile != ""
	sqlite := gatewayConfig{name: "gateway-rebuild", dir: filepath.Join(dir, "sqlite"), debug: true, profile: profile}
	if err := os.Mkdir(sqlite.dir, 0o755); err != nil {
		return "", err
	}
	took, err := b.importSQLite(ctx, sqlite, file, b.o.loadLimit)
	if err != nil {
		return "", err
	}
	logf("rebuild: %d routes imported into SQLite in %s", manyRoutes, formatSeconds(took))
	runs, err := b.rebuildRuns(ctx, sqlite, "SQLite", b.o.rounds,
		fmt.Sprintf("PATCH /routes/%s, %d/s", prefixRouteName(0), time.Second/patchEvery), patchEvery, patchRoute)
	if err != nil {
		return "", err
	}
	dbless := gatewayConfig{name: "gateway-rebuild", dir: filepath.Join(dir, "db-less"), kongYML: file, debug: true, profile: profile}
	if err := os.Mkdir(dbless.dir, 0o755); err != nil {
		return "", err
	}
	more, err := b.rebuildRuns(ctx, dbless, "DB-less", 1,
		fmt.Sprintf("POST /config, %d/s", time.Second/postEvery), postEvery, postConfig)
	if err != nil {
		return "", err
	}
	var s strings.Builder
	fmt.Fprintf(&s, "rebuild: %d prefix routes, wrk on %s while route %s gets a new path; target: rebuild < %s, no p99 spike\n\n",
		manyRoutes, rebuildPath, prefixRouteName(0), rebuildTarget)
	printRebuildTable(&s, append(runs, more...))
	return s.String(), nil
}

// rebuildRuns starts a gateway with c, checks it, warms it up, and loads it in rounds
// alternately without and with changes made every interval by write. It returns the
// two runs, the rebuilds the gateway logged going with the second.
func (b *bench) rebuildRuns(ctx context.Context, c gatewayConfig, store string, rounds int, what string, every time.Duration, write change) ([]rebuildRun, error) {
	o := b.o
	p, err := b.startGateway(ctx, c)
	if err != nil {
		return nil, err
	}
	defer p.stop()
	url := "http://" + gatewayHTTP + rebuildPath
	if status, body, err := get(url, ""); err != nil || status != http.StatusOK || string(body) != upstreamBody {
		return nil, fmt.Errorf("verify %s: GET %s: %d %.80q %v; want 200 with the upstream's body", store, url, status, body, err)
	}
	if o.warmup > 0 {
		logf("rebuild: %s: warm-up %s", store, o.warmup)
		if _, err := runWrk(ctx, o, url, "", o.warmup); err != nil {
			return nil, err
		}
	}
	none := "none"
	if rounds < o.rounds {
		suffix := fmt.Sprintf(" (%d round)", rounds)
		none, what = none+suffix, what+suffix
	}
	runs := []rebuildRun{{store: store, what: none}, {store: store, what: what, ch: &changes{}}}
	for round := 1; round <= rounds; round++ {
		for i := range runs {
			r := &runs[i]
			var during func(context.Context)
			before := 0
			if r.ch != nil {
				before = r.ch.made()
				during = func(ctx context.Context) { r.ch.loop(ctx, every, o.duration, write) }
			}
			w, cpu, err := r.m.round(ctx, o, p, url, "", during)
			if err != nil {
				return nil, err
			}
			note := ""
			if r.ch != nil {
				note = fmt.Sprintf("  (%d changes)", r.ch.made()-before)
			}
			logf("rebuild: %s round %d/%d %-8s %s%s", store, round, rounds, map[bool]string{true: "changes", false: "quiet"}[r.ch != nil], roundNote(w, cpu), note)
		}
	}
	log, err := os.ReadFile(c.errorLog())
	if err != nil {
		return nil, err
	}
	for _, r := range parseRebuilds(string(log)) {
		if r.generation > 1 { // the first is the start-up's; the quiet rounds change nothing
			runs[1].rebuilds = append(runs[1].rebuilds, r)
		}
	}
	if c.profile { // after the log is read, so that its rebuilds are not the runs'
		name := "rebuild-" + strings.ToLower(store)
		err := profileLoad(ctx, o, name, func(ctx context.Context) error {
			_, _, err := (&measure{}).round(ctx, o, p, url, "", func(ctx context.Context) {
				(&changes{n: runs[1].ch.n}).loop(ctx, every, o.duration, write)
			})
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("profile: %w", err)
		}
	}
	return runs, nil
}

// A rebuild is one "configuration rebuilt" line of the gateway's debug log.
type rebuild struct {
	generation int
	reload     bool // the whole configuration was re-read, rather than the changes applied
	events     int
	took       time.Duration
}

var reRebuilt = regexp.MustCompile(`configuration rebuilt, generation: (\d+), reload: (true|false), events: (\d+), took: (\S+)`)

// parseRebuilds finds the snapshot rebuilds the gateway logged at debug level:
// "configuration rebuilt, generation: 2, reload: false, events: 1, took: 83.3ms".
func parseRebuilds(log string) []rebuild {
	var out []rebuild
	for _, m := range reRebuilt.FindAllStringSubmatch(log, -1) {
		took, err := time.ParseDuration(m[4])
		if err != nil {
			continue
		}
		gen, _ := strconv.Atoi(m[1])
		events, _ := strconv.Atoi(m[3])
		out = append(out, rebuild{generation: gen, reload: m[2] == "true", events: events, took: took})
	}
	return out
}

// percentile is the nearest-rank q-th percentile (0 < q ≤ 100) of xs, 0 when empty.
func percentile(xs []time.Duration, q float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := int(float64(len(s))*q/100+0.999999) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

// spread is "median / p99 / max" of xs in milliseconds, "—" when empty.
func spread(xs []time.Duration) string {
	if len(xs) == 0 {
		return "—"
	}
	ms := func(d time.Duration) string {
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64)
	}
	return ms(median(xs)) + " / " + ms(percentile(xs, 99)) + " / " + ms(percentile(xs, 100)) + " ms"
}

// printRebuildTable writes the rebuild step's runs as a Markdown table; a run with
// changes is compared with the run before it, the same gateway without changes.
func printRebuildTable(w io.Writer, runs []rebuildRun) {
	fmt.Fprintln(w, "| store | changes | RPS (median) | p50 | p99 | CPU µs/req | RPS, p99 vs no changes | changes made | Admin API write (median) | effective on the proxy after (median / p99 / max) | rebuilds logged: median / p99 / max | errors |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for i, r := range runs {
		vs, made, write, effective, rebuilds := "", "", "", "", ""
		if r.ch != nil && i > 0 {
			base := runs[i-1].m
			if median(base.rps) > 0 && median(base.p99) > 0 {
				vs = fmt.Sprintf("%.2f×, %.2f×", median(r.m.rps)/median(base.rps), float64(median(r.m.p99))/float64(median(base.p99)))
			}
			made = changesNote(r.ch)
			write = "—"
			if len(r.ch.writes) > 0 {
				write = fmtLatency(median(r.ch.writes))
			}
			effective = spread(r.ch.effective)
			took := make([]time.Duration, len(r.rebuilds))
			for j, rb := range r.rebuilds {
				took[j] = rb.took
			}
			rebuilds = fmt.Sprintf("%d: %s", len(took), spread(took))
		}
		fmt.Fprintf(w, "| %s | %s | %.0f | %s | %s | %.1f | %s | %s | %s | %s | %s | %d |\n", r.store, r.what,
			median(r.m.rps), fmtLatency(median(r.m.p50)), fmtLatency(median(r.m.p99)), perRequest(r.m.cpu, r.m.requests),
			vs, made, write, effective, rebuilds, r.m.errors)
	}
}

// made counts the changes the Admin API answered, accepted or not (the last one a
// round's end interrupts is not).
func (c *changes) made() int { return len(c.writes) + c.failed }

// changesNote counts a run's changes, and those that failed or showed late.
func changesNote(c *changes) string {
	s := strconv.Itoa(c.made())
	if c.failed > 0 {
		s += fmt.Sprintf(", %d refused", c.failed)
	}
	if c.late > 0 {
		s += fmt.Sprintf(", %d not effective %s after the write", c.late, effectiveLimit)
	}
	return s
}
