package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
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
)

func (p proxyKind) String() string { return [...]string{"nginx", "gateway"}[p] }

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
	m       [2]measure // by proxyKind
}

// runScenario starts nginx and the gateway with the scenario's configuration, checks
// that they answer alike, warms both up, then loads them in interleaved rounds.
func runScenario(ctx context.Context, o options, procs *group, sc scenario, work, gwBin string, enabled map[string]bool) (result, error) {
	res := result{sc: sc}
	var missing []string
	for _, name := range sc.plugins {
		if !enabled[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		res.skipped = "skipped: plugin not available (" + strings.Join(missing, ", ") + ")"
		logf("%s: %s", sc.name, res.skipped)
		return res, nil
	}

	dir := filepath.Join(work, sc.name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return res, err
	}
	nginxConf, err := sc.nginxConf(dir, work)
	if err != nil {
		return res, err
	}
	kongYML, err := sc.kongYML(dir)
	if err != nil {
		return res, err
	}
	logf("%s (%s): starting nginx and the gateway on core %s", sc.name, sc.about, o.proxyCPU)
	var running [2]*proc
	if running[nginxProxy], err = startNginx(ctx, procs, dir, nginxConf, o.proxyCPU, sc); err != nil {
		return res, err
	}
	defer running[nginxProxy].stop()
	if running[gatewayProxy], err = startGateway(ctx, procs, dir, gwBin, kongYML, work, o.proxyCPU, sc); err != nil {
		return res, err
	}
	defer running[gatewayProxy].stop()

	if err := verify(sc); err != nil {
		return res, err
	}
	kinds := []proxyKind{nginxProxy, gatewayProxy}
	if o.warmup > 0 {
		for _, k := range kinds {
			logf("%s: warm-up %s %s", sc.name, k, o.warmup)
			if _, err := runWrk(ctx, o, sc, k, o.warmup); err != nil {
				return res, err
			}
		}
	}
	for round := 1; round <= o.rounds; round++ {
		for _, k := range kinds {
			p := running[k]
			before, err := cpuTime(p.pid())
			if err != nil {
				return res, fmt.Errorf("%s: %w (log: %s)", k, err, p.logPath)
			}
			w, err := runWrk(ctx, o, sc, k, o.duration)
			if err != nil {
				return res, err
			}
			after, err := cpuTime(p.pid())
			if err != nil {
				return res, fmt.Errorf("%s: %w (log: %s)", k, err, p.logPath)
			}
			m := &res.m[k]
			m.rps = append(m.rps, w.rps)
			m.p50 = append(m.p50, w.p50)
			m.p99 = append(m.p99, w.p99)
			m.requests += w.requests
			m.cpu += after - before
			m.errors += w.errors
			logf("%s: round %d/%d %-7s %8.0f req/s  p50 %s  p99 %s  CPU %.1f µs/req%s", sc.name, round, o.rounds, k,
				w.rps, fmtLatency(w.p50), fmtLatency(w.p99), perRequest(after-before, w.requests), errNote(w.errors))
		}
	}
	return res, nil
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

// gatewayEnv is the gateway's configuration: DB-less, one proxy listener (plus the TLS
// one for https), no access logs (nginx has none either), pinned to one P.
func gatewayEnv(dir, kongYML, work string, sc scenario) []string {
	listen := gatewayHTTP
	if sc.https {
		listen += ", " + gatewayHTTPS + " ssl"
	}
	return []string{
		"GOMAXPROCS=1",
		"KONG_PREFIX=" + filepath.Join(dir, "kong"),
		"KONG_DATABASE=off",
		"KONG_DECLARATIVE_CONFIG=" + kongYML,
		"KONG_PROXY_LISTEN=" + listen,
		"KONG_ADMIN_LISTEN=" + gatewayAdmin,
		"KONG_STATUS_LISTEN=off",
		"KONG_PROXY_ACCESS_LOG=off",
		"KONG_ADMIN_ACCESS_LOG=off",
		"KONG_NGINX_WORKER_PROCESSES=1",
		"KONG_SSL_CERT=" + filepath.Join(work, "cert.pem"),
		"KONG_SSL_CERT_KEY=" + filepath.Join(work, "key.pem"),
		"KONG_SSL_PROTOCOLS=TLSv1.3",
	}
}

func startGateway(ctx context.Context, procs *group, dir, gwBin, kongYML, work, cpu string, sc scenario) (*proc, error) {
	env := gatewayEnv(dir, kongYML, work, sc)
	p, err := procs.start(ctx, "gateway-"+sc.name, dir, env, "taskset", "-c", cpu, gwBin, "start", "-p", filepath.Join(dir, "kong"))
	if err != nil {
		return nil, err
	}
	if err := waitAdmin(ctx, p, 60*time.Second); err != nil {
		return nil, err
	}
	addr := gatewayHTTP
	if sc.https {
		addr = gatewayHTTPS
	}
	if err := waitTCP(ctx, addr, 10*time.Second); err != nil {
		return nil, fmt.Errorf("gateway: %w (log: %s)", err, p.logPath)
	}
	return p, nil
}

func waitAdmin(ctx context.Context, p *proc, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if status, _, err := get("http://"+gatewayAdmin+"/", ""); err == nil && status == http.StatusOK {
			return nil
		}
		if p.exited() {
			return fmt.Errorf("gateway exited while starting (log: %s)", p.logPath)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gateway Admin API not answering after %s (log: %s)", limit, p.logPath)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// enabledPlugins starts the gateway once with the plain scenario and asks its Admin
// API which plugins it has (GET /plugins/enabled): a scenario needing one it lacks is
// reported as skipped rather than measured without it.
func enabledPlugins(ctx context.Context, procs *group, work, gwBin string) (map[string]bool, error) {
	dir := filepath.Join(work, "probe")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, err
	}
	sc := scenarios[0]
	kongYML, err := sc.kongYML(dir)
	if err != nil {
		return nil, err
	}
	p, err := procs.start(ctx, "gateway-probe", dir, gatewayEnv(dir, kongYML, work, sc), gwBin, "start", "-p", filepath.Join(dir, "kong"))
	if err != nil {
		return nil, err
	}
	defer p.stop()
	if err := waitAdmin(ctx, p, 30*time.Second); err != nil {
		return nil, err
	}
	status, body, err := get("http://"+gatewayAdmin+"/plugins/enabled", "")
	if err != nil || status != http.StatusOK {
		return nil, fmt.Errorf("GET /plugins/enabled: %d %v", status, err)
	}
	var doc struct {
		Enabled []string `json:"enabled_plugins"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("GET /plugins/enabled: %w", err)
	}
	enabled := map[string]bool{}
	for _, name := range doc.Enabled {
		enabled[name] = true
	}
	return enabled, nil
}

var client = &http.Client{
	Timeout: 5 * time.Second,
	Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13}, // our own throw-away certificate
		DisableKeepAlives: true,
	},
}

func get(url, key string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	if key != "" {
		req.Header.Set(apiKeyHeader, key)
	}
	resp, err := client.Do(req)
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

func runWrk(ctx context.Context, o options, sc scenario, k proxyKind, d time.Duration) (wrkResult, error) {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	argv := []string{"-c", o.loadCPU, "wrk", "-t", strconv.Itoa(o.threads), "-c", strconv.Itoa(o.connections),
		"-d", strconv.Itoa(secs) + "s", "--latency"}
	if key := sc.key(); key != "" {
		argv = append(argv, "-H", apiKeyHeader+": "+key)
	}
	argv = append(argv, sc.url(k))
	cmd := exec.CommandContext(ctx, "taskset", argv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %w %s", k, err, strings.TrimSpace(string(out)))
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
// the gateway's figures relative to nginx's on the gateway row.
func printTable(w io.Writer, results []result) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	fmt.Fprintln(bw, "| scenario | proxy | RPS (median) | p50 | p99 | CPU µs/req | gateway/nginx RPS | gateway/nginx p99 | errors |")
	fmt.Fprintln(bw, "|---|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range results {
		if r.skipped != "" {
			fmt.Fprintf(bw, "| %s | — | %s | | | | | | |\n", r.sc.name, r.skipped)
			continue
		}
		ng := r.m[nginxProxy]
		for _, k := range []proxyKind{nginxProxy, gatewayProxy} {
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
}
