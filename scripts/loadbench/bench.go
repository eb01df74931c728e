package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

type proxyKind int

const (
	nginxProxy proxyKind = iota
	gatewayProxy
	pairedProxy // the gateway with the plain configuration, in a paired scenario's rounds
)

func (p proxyKind) String() string { return [...]string{"nginx", "gateway", "gateway, plain"}[p] }

// measure is what the rounds of one proxy in one scenario add up to.
type measure struct {
	rps      []float64
	p50, p99 []time.Duration
	requests int64
	cpu      time.Duration
	errors   int64 // non-2xx/3xx answers and socket errors: any makes the row suspect
}

type result struct {
	sc      scenario
	skipped string
	m       [3]measure // by proxyKind; pairedProxy's only in a paired scenario
}

// runScenario starts nginx and the gateway with the scenario's configuration, checks
// that they answer alike, warms both up, then loads them in interleaved rounds, each
// in the reverse order of the one before.
func (b *bench) runScenario(ctx context.Context, sc scenario, enabled map[string]bool) (result, error) {
	o := b.o
	res := result{sc: sc}
	if missing := missingPlugins(sc.plugins, enabled); len(missing) > 0 {
		res.skipped = skippedNote(missing)
		logf("%s: %s", sc.name, res.skipped)
		return res, nil
	}

	dir := filepath.Join(b.work, sc.name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return res, err
	}
	nginxConf, err := sc.nginxConf(dir, b.work)
	if err != nil {
		return res, err
	}
	kongYML, err := sc.kongYML(dir)
	if err != nil {
		return res, err
	}
	logf("%s (%s): starting nginx and the gateway on core %s", sc.name, sc.about, o.proxyCPU)
	var running [3]*proc
	if running[nginxProxy], err = startNginx(ctx, b.procs, dir, nginxConf, o.proxyCPU, sc); err != nil {
		return res, err
	}
	defer running[nginxProxy].stop()
	gw := gatewayConfig{name: "gateway-" + sc.name, dir: dir, kongYML: kongYML, https: sc.https, profile: o.profile != ""}
	if running[gatewayProxy], err = b.startGateway(ctx, gw); err != nil {
		return res, err
	}
	defer running[gatewayProxy].stop()
	kinds := []proxyKind{nginxProxy, gatewayProxy}
	if sc.paired {
		plainYML, err := scenarios[0].kongYML(dir)
		if err != nil {
			return res, err
		}
		paired := gatewayConfig{name: "gateway-" + sc.name + "-plain", dir: filepath.Join(dir, "plain"), kongYML: plainYML, paired: true}
		if err := os.Mkdir(paired.dir, 0o755); err != nil {
			return res, err
		}
		if running[pairedProxy], err = b.startGateway(ctx, paired); err != nil {
			return res, err
		}
		defer running[pairedProxy].stop()
		kinds = append(kinds, pairedProxy)
	}

	if err := verify(sc); err != nil {
		return res, err
	}
	if sc.paired {
		if err := verifyPaired(); err != nil {
			return res, err
		}
	}
	if o.warmup > 0 {
		for _, k := range kinds {
			logf("%s: warm-up %s %s", sc.name, k, o.warmup)
			if _, err := runWrk(ctx, o, sc.url(k), sc.keyFor(k), o.warmup); err != nil {
				return res, err
			}
		}
	}
	for round := 1; round <= o.rounds; round++ {
		for _, k := range kinds {
			w, cpu, err := res.m[k].round(ctx, o, running[k], sc.url(k), sc.keyFor(k), nil)
			if err != nil {
				return res, fmt.Errorf("%s: %w", k, err)
			}
			logf("%s: round %d/%d %-7s %s", sc.name, round, o.rounds, k, roundNote(w, cpu))
		}
		slices.Reverse(kinds) // A B, B A, A B …: a drift over the run favours no proxy
	}
	if o.profile != "" {
		if err := profileRound(ctx, o, sc); err != nil {
			return res, fmt.Errorf("profile: %w", err)
		}
	}
	return res, nil
}

// round runs one measured wrk round against p, the proxy serving url, and adds it to
// m; during adds a concurrent activity (the rebuild step's changes), nil for none.
// It returns wrk's figures and p's CPU time over the round.
func (m *measure) round(ctx context.Context, o options, p *proc, url, key string, during func(context.Context)) (wrkResult, time.Duration, error) {
	before, err := cpuTime(p.pid())
	if err != nil {
		return wrkResult{}, 0, fmt.Errorf("%w (log: %s)", err, p.logPath)
	}
	stopDuring := func() {}
	if during != nil {
		actx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); during(actx) }()
		stopDuring = func() { stop(); <-done }
	}
	w, err := runWrk(ctx, o, url, key, o.duration)
	stopDuring()
	if err != nil {
		return w, 0, err
	}
	after, err := cpuTime(p.pid())
	if err != nil {
		return w, 0, fmt.Errorf("%w (log: %s)", err, p.logPath)
	}
	m.rps = append(m.rps, w.rps)
	m.p50 = append(m.p50, w.p50)
	m.p99 = append(m.p99, w.p99)
	m.requests += w.requests
	m.cpu += after - before
	m.errors += w.errors
	return w, after - before, nil
}

// roundNote is one round's figures for the progress log.
func roundNote(w wrkResult, cpu time.Duration) string {
	return fmt.Sprintf("%8.0f req/s  p50 %s  p99 %s  CPU %.1f µs/req%s",
		w.rps, fmtLatency(w.p50), fmtLatency(w.p99), perRequest(cpu, w.requests), errNote(w.errors))
}

func startNginx(ctx context.Context, procs *group, dir, conf, cpu string, sc scenario) (*proc, error) {
	errLog := filepath.Join(dir, "nginx-error.log")
	if err := runQuiet(ctx, dir, lookPath("nginx"), "-t", "-q", "-p", dir, "-c", conf, "-e", errLog); err != nil {
		return nil, fmt.Errorf("nginx -t: %w", err)
	}
	p, err := procs.start(ctx, "nginx-"+sc.name, dir, nil, "taskset", "-c", cpu, lookPath("nginx"), "-p", dir, "-c", conf, "-e", errLog)
	if err != nil {
		return nil, err
	}
	addr := nginxHTTP
	if sc.https {
		addr = nginxHTTPS
	}
	if err := waitTCP(ctx, addr, 10*time.Second); err != nil {
		return nil, fmt.Errorf("nginx: %w (see %s)", err, errLog)
	}
	return p, nil
}

// client makes the checks: a new connection each time.
var client = &http.Client{
	Timeout: 5 * time.Second,
	Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13}, // our own throw-away certificate
		DisableKeepAlives: true,
	},
}

// keepAliveClient makes the steps' many small requests (warming the credential
// cache, polling for a change, the Admin API writes) over kept-alive connections.
var keepAliveClient = &http.Client{Timeout: 5 * time.Second}

func get(url, key string) (int, []byte, error) { return getWith(client, url, key) }

// getWith sends GET url with c, with the apikey header key unless "".
func getWith(c *http.Client, url, key string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	if key != "" {
		req.Header.Set(apiKeyHeader, key)
	}
	return do(c, req)
}

// do sends req with c and returns the status and the whole body.
func do(c *http.Client, req *http.Request) (int, []byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// verify checks, before any load, that nginx and the gateway answer the scenario's
// requests alike: 200 with the upstream's exact body, 404 for an unknown route, and
// 401 without a key or with an unknown one where auth applies.
func verify(sc scenario) error {
	want := []byte(upstreamBody)
	if sc.big {
		want = bigBody
	}
	type check struct {
		what, path, key string
		status          int
	}
	checks := []check{
		{"the measured request", sc.path, sc.key(), http.StatusOK},
		{"an unknown route", "/no-such-route", sc.key(), http.StatusNotFound},
	}
	if sc.auth {
		checks = append(checks,
			check{"no key", sc.path, "", http.StatusUnauthorized},
			check{"an unknown key", sc.path, "no-such-key", http.StatusUnauthorized})
	}
	for _, c := range checks {
		var bodies [2]string
		for _, k := range []proxyKind{nginxProxy, gatewayProxy} {
			url := strings.TrimSuffix(sc.url(k), sc.path) + c.path
			status, body, err := get(url, c.key)
			if err != nil {
				return fmt.Errorf("verify %s, %s: %w", k, c.what, err)
			}
			if status != c.status || (c.status == http.StatusOK && string(body) != string(want)) {
				return fmt.Errorf("verify %s, %s: GET %s (apikey %q) answered %d with %d bytes %.80q; want %d%s",
					k, c.what, url, c.key, status, len(body), body, c.status, map[bool]string{true: " with the upstream's body"}[c.status == http.StatusOK])
			}
			bodies[k] = reRequestID.ReplaceAllString(string(body), `"request_id":"…"`)
		}
		if bodies[nginxProxy] != bodies[gatewayProxy] { // not fatal: only the status is the contract here
			logf("%s: note: %s: nginx and the gateway answer %d with different bodies:\n  nginx:   %q\n  gateway: %q",
				sc.name, c.what, c.status, bodies[nginxProxy], bodies[gatewayProxy])
		}
	}
	return nil
}

// verifyPaired checks that the paired gateway answers the plain scenario's request
// with the upstream's body.
func verifyPaired() error {
	url := scenarios[0].url(pairedProxy)
	status, body, err := get(url, "")
	if err != nil {
		return fmt.Errorf("verify %s: %w", pairedProxy, err)
	}
	if status != http.StatusOK || string(body) != upstreamBody {
		return fmt.Errorf("verify %s: GET %s answered %d with %d bytes %.80q; want 200 with the upstream's body", pairedProxy, url, status, len(body), body)
	}
	return nil
}

var reRequestID = regexp.MustCompile(`"request_id":"[0-9a-f]+"`)

// wrkResult is one wrk run, parsed from its --latency report.
type wrkResult struct {
	rps      float64
	p50, p99 time.Duration
	requests int64
	errors   int64
}

var (
	reRequests = regexp.MustCompile(`(?m)^\s*(\d+) requests in `)
	reRPS      = regexp.MustCompile(`(?m)^Requests/sec:\s*([\d.]+)`)
	rePct      = regexp.MustCompile(`(?m)^\s*(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$`)
	reNon2xx   = regexp.MustCompile(`(?m)^\s*Non-2xx or 3xx responses:\s*(\d+)`)
	reSockErr  = regexp.MustCompile(`(?m)^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// runWrk loads url (with the apikey header key, unless "") for d from the load core.
func runWrk(ctx context.Context, o options, url, key string, d time.Duration) (wrkResult, error) {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	argv := []string{"-c", o.loadCPU, "wrk", "-t", strconv.Itoa(o.threads), "-c", strconv.Itoa(o.connections),
		"-d", strconv.Itoa(secs) + "s", "--latency"}
	if key != "" {
		argv = append(argv, "-H", apiKeyHeader+": "+key)
	}
	argv = append(argv, url)
	cmd := exec.CommandContext(ctx, "taskset", argv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %w %s", url, err, strings.TrimSpace(string(out)))
	}
	return parseWrk(string(out))
}

func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	m := reRPS.FindStringSubmatch(out)
	n := reRequests.FindStringSubmatch(out)
	pct := rePct.FindAllStringSubmatch(out, -1)
	if m == nil || n == nil || len(pct) != 2 {
		return r, fmt.Errorf("cannot parse wrk output:\n%s", out)
	}
	r.rps, _ = strconv.ParseFloat(m[1], 64)
	r.requests, _ = strconv.ParseInt(n[1], 10, 64)
	for _, p := range pct {
		d, err := time.ParseDuration(p[2] + p[3]) // wrk's units are Go's: us, ms, s, m
		if err != nil {
			return r, err
		}
		if p[1] == "50" {
			r.p50 = d
		} else {
			r.p99 = d
		}
	}
	if e := reNon2xx.FindStringSubmatch(out); e != nil {
		v, _ := strconv.ParseInt(e[1], 10, 64)
		r.errors += v
	}
	if e := reSockErr.FindStringSubmatch(out); e != nil {
		for _, s := range e[1:] {
			v, _ := strconv.ParseInt(s, 10, 64)
			r.errors += v
		}
	}
	return r, nil
}

func median[T float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func perRequest(cpu time.Duration, requests int64) float64 {
	if requests == 0 {
		return 0
	}
	return float64(cpu.Microseconds()) / float64(requests)
}

func fmtLatency(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func errNote(n int64) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("  (%d errors)", n)
}

// printTable writes the results as a Markdown table, ready for docs/benchmarks.md:
// medians over the rounds for RPS and latency, CPU per request over all rounds, and
// the gateway's figures relative to nginx's on the gateway row; then, for the paired
// scenarios, the gateway against its own plain figure from the same rounds.
func printTable(w io.Writer, results []result) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	fmt.Fprintln(bw, "| scenario | proxy | RPS (median) | p50 | p99 | CPU µs/req | gateway/nginx RPS | gateway/nginx p99 | errors |")
	fmt.Fprintln(bw, "|---|---|---:|---:|---:|---:|---:|---:|---:|")
	var paired []result
	for _, r := range results {
		if r.skipped != "" {
			fmt.Fprintf(bw, "| %s | — | %s | | | | | | |\n", r.sc.name, r.skipped)
			continue
		}
		kinds := []proxyKind{nginxProxy, gatewayProxy}
		if r.sc.paired {
			kinds = append(kinds, pairedProxy)
			paired = append(paired, r)
		}
		ng := r.m[nginxProxy]
		for _, k := range kinds {
			m := r.m[k]
			ratioRPS, ratioP99 := "", ""
			if k == gatewayProxy && median(ng.rps) > 0 && median(ng.p99) > 0 {
				ratioRPS = fmt.Sprintf("%.2f×", median(m.rps)/median(ng.rps))
				ratioP99 = fmt.Sprintf("%.2f×", float64(median(m.p99))/float64(median(ng.p99)))
			}
			fmt.Fprintf(bw, "| %s | %s | %.0f | %s | %s | %.1f | %s | %s | %d |\n", r.sc.name, k,
				median(m.rps), fmtLatency(median(m.p50)), fmtLatency(median(m.p99)),
				perRequest(m.cpu, m.requests), ratioRPS, ratioP99, m.errors)
		}
	}
	if len(paired) == 0 {
		return
	}
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "paired: the gateway against a gateway with the plain configuration loaded in the same rounds")
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "| scenario | gateway RPS / plain gateway RPS (median of the rounds) | each round | plain gateway CPU µs/req / gateway's |")
	fmt.Fprintln(bw, "|---|---:|---|---:|")
	for _, r := range paired {
		gw, plain := r.m[gatewayProxy], r.m[pairedProxy]
		ratios := roundRatios(gw.rps, plain.rps)
		each := make([]string, len(ratios))
		for i, x := range ratios {
			each[i] = fmt.Sprintf("%.3f", x)
		}
		cpu := perRequest(plain.cpu, plain.requests) / perRequest(gw.cpu, gw.requests)
		fmt.Fprintf(bw, "| %s | %.3f× | %s | %.3f× |\n", r.sc.name, median(ratios), strings.Join(each, " "), cpu)
	}
}

// roundRatios divides each round's figure of a by the same round's of b.
func roundRatios(a, b []float64) []float64 {
	var r []float64
	for i := range min(len(a), len(b)) {
		if b[i] > 0 {
			r = append(r, a[i]/b[i])
		}
	}
	return r
}
