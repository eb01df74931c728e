// Command loadbench is the side-by-side load benchmark of issue 6: the gateway against
// nginx configured for the same work, pinned to one core each in turn, loaded by wrk
// from the other core. docs/benchmarks.md describes what it measures and how to run it.
//
//	go build -o bin/loadbench ./scripts/loadbench && bin/loadbench [-rounds N] [-duration D] ...
//
// Everything it starts (upstream, nginx, gateway, wrk) runs on 127.0.0.1 in its own
// process group and is stopped on exit, on error and on Ctrl-C.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// options are the knobs; every flag also has a LOADBENCH_* environment default so the
// Makefile target can be tuned without editing it.
type options struct {
	rounds      int
	duration    time.Duration
	warmup      time.Duration
	connections int
	threads     int
	timeout     time.Duration
	scenarios   string
	gateway     string
	skipBuild   bool
	keep        bool
	proxyCPU    string
	loadCPU     string
	consumers   int           // the memory step's consumers
	loadLimit   time.Duration // the memory step's bound on loading one configuration
	profile     string        // directory of the gateway's profiles, "" for none
}

// bench is what every scenario and step of a run shares.
type bench struct {
	o     options
	procs *group
	work  string // the run's temporary directory
	gwBin string
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "upstream" {
		if err := runUpstream(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "upstream:", err)
			os.Exit(1)
		}
		return
	}
	o, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		os.Exit(2) // the flag package has printed the error and the usage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	deadline := time.Now().Add(o.timeout)
	if d, err := time.Parse(time.RFC3339Nano, os.Getenv(deadlineEnv)); err == nil {
		deadline = d // the timeout runs from the start of the loadbench that moved
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()

	err = prepare(ctx, o)
	if err == nil {
		err = run(ctx, o)
	}
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", err, context.Cause(ctx))
		}
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

// loadCPUEnv and deadlineEnv are set in the environment of a loadbench moved to its
// load core: the core, and the deadline of the whole run.
const (
	loadCPUEnv  = "LOADBENCH_RUNNING_ON"
	deadlineEnv = "LOADBENCH_DEADLINE"
)

// prepare installs the tools, builds the gateway, and runs loadbench again, in place
// (exec), pinned to the load core: its own work during a round (the rebuild step's
// Admin API writes and polls) is load, and must not take the proxy's core from it. It
// returns only when it did not exec: in the moved loadbench, or on an error.
func prepare(ctx context.Context, o options) error {
	if os.Getenv(loadCPUEnv) == o.loadCPU {
		return nil
	}
	if err := ensureTools(ctx); err != nil {
		return err
	}
	if !o.skipBuild {
		root, err := repoRoot()
		if err != nil {
			return err
		}
		logf("building the gateway (make build)")
		if err := runQuiet(ctx, root, "make", "build"); err != nil {
			return fmt.Errorf("make build: %w", err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	argv := append([]string{"taskset", "-c", o.loadCPU, self, "-no-build"}, os.Args[1:]...)
	env := append(os.Environ(), loadCPUEnv+"="+o.loadCPU)
	if d, ok := ctx.Deadline(); ok {
		env = append(env, deadlineEnv+"="+d.Format(time.RFC3339Nano))
	}
	return syscall.Exec(lookPath("taskset"), argv, env)
}

// parseFlags reads the options from args, with the LOADBENCH_* variables as defaults.
func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadbench", flag.ContinueOnError)
	fs.IntVar(&o.rounds, "rounds", envInt("LOADBENCH_ROUNDS", 5), "measured rounds per proxy and scenario (env LOADBENCH_ROUNDS)")
	fs.DurationVar(&o.duration, "duration", envDuration("LOADBENCH_DURATION", 8*time.Second), "length of one measured round (env LOADBENCH_DURATION)")
	fs.DurationVar(&o.warmup, "warmup", envDuration("LOADBENCH_WARMUP", 5*time.Second), "unmeasured warm-up per proxy and scenario (env LOADBENCH_WARMUP)")
	fs.IntVar(&o.connections, "connections", envInt("LOADBENCH_CONNECTIONS", 50), "wrk connections (env LOADBENCH_CONNECTIONS)")
	fs.IntVar(&o.threads, "threads", envInt("LOADBENCH_THREADS", 1), "wrk threads (env LOADBENCH_THREADS)")
	fs.DurationVar(&o.timeout, "timeout", envDuration("LOADBENCH_TIMEOUT", 15*time.Minute), "hard limit on the whole run (env LOADBENCH_TIMEOUT)")
	fs.StringVar(&o.scenarios, "scenarios", os.Getenv("LOADBENCH_SCENARIOS"), "comma-separated subset of the table's "+strings.Join(scenarioNames(), ",")+
		" and of the steps "+strings.Join(stepNames(), ",")+" (default: all of them) (env LOADBENCH_SCENARIOS)")
	fs.StringVar(&o.gateway, "gateway", envString("LOADBENCH_GATEWAY", "bin/silverback"), "gateway binary, relative to the repository root (env LOADBENCH_GATEWAY)")
	fs.BoolVar(&o.skipBuild, "no-build", false, "do not run `make build` first")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory (configs, logs) instead of removing it")
	fs.StringVar(&o.proxyCPU, "proxy-cpu", envString("LOADBENCH_PROXY_CPU", "0"), "core of the proxy under test (env LOADBENCH_PROXY_CPU)")
	fs.StringVar(&o.loadCPU, "load-cpu", envString("LOADBENCH_LOAD_CPU", "1"), "core of wrk and the upstream (env LOADBENCH_LOAD_CPU)")
	fs.IntVar(&o.consumers, "memory-consumers", envInt("LOADBENCH_MEMORY_CONSUMERS", 100000), "consumers of the memory step (env LOADBENCH_MEMORY_CONSUMERS)")
	fs.StringVar(&o.profile, "profile", os.Getenv("LOADBENCH_PROFILE"), "directory for CPU and allocation profiles of the gateway, one extra unmeasured round per scenario (env LOADBENCH_PROFILE)")
	fs.DurationVar(&o.loadLimit, "load-limit", envDuration("LOADBENCH_LOAD_LIMIT", 4*time.Minute), "bound on the memory step's loading of one configuration (env LOADBENCH_LOAD_LIMIT)")
	err := fs.Parse(args)
	return o, err
}

func run(ctx context.Context, o options) error {
	if o.rounds < 1 || o.duration < time.Second || o.consumers < 1 || o.loadLimit <= 0 {
		return errors.New("need -rounds >= 1, -duration >= 1s, -memory-consumers >= 1 and -load-limit > 0")
	}
	table, extra, err := selectScenarios(o.scenarios)
	if err != nil {
		return err
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	if o.profile != "" {
		if o.profile, err = filepath.Abs(o.profile); err != nil {
			return err
		}
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return err
		}
	}
	b := &bench{o: o, procs: &group{}, gwBin: o.gateway}
	if !filepath.IsAbs(b.gwBin) {
		b.gwBin = filepath.Join(root, b.gwBin)
	}

	if b.work, err = os.MkdirTemp("", "loadbench-"); err != nil {
		return err
	}
	if err := os.Chmod(b.work, 0o755); err != nil { // nginx workers may run as nobody
		return err
	}
	if o.keep {
		logf("work directory kept: %s", b.work)
	} else {
		defer os.RemoveAll(b.work)
	}
	defer b.procs.stopAll()

	if err := writeCertificate(b.work); err != nil {
		return err
	}
	up, err := startUpstream(ctx, b.procs, b.work, o.loadCPU)
	if err != nil {
		return err
	}

	enabled := map[string]bool{}
	if slices.ContainsFunc(table, func(s scenario) bool { return len(s.plugins) > 0 }) ||
		slices.ContainsFunc(extra, func(s step) bool { return len(s.plugins) > 0 }) {
		if enabled, err = b.enabledPlugins(ctx); err != nil {
			return err
		}
	}

	start, load := time.Now(), loadAverage()
	var results []result
	var sections []string
	partial := func(at string) { // what was measured before a failure is still worth having
		if len(results) > 0 || len(sections) > 0 {
			report(o, results, sections, start, load, "INCOMPLETE: stopped at "+at)
		}
	}
	for _, sc := range table {
		r, err := b.runScenario(ctx, sc, enabled)
		if err != nil {
			partial(sc.name)
			return fmt.Errorf("scenario %s: %w", sc.name, err)
		}
		results = append(results, r)
	}
	for _, st := range extra {
		if missing := missingPlugins(st.plugins, enabled); len(missing) > 0 {
			logf("%s: %s", st.name, skippedNote(missing))
			sections = append(sections, fmt.Sprintf("%s: %s\n", st.name, skippedNote(missing)))
			continue
		}
		logf("%s (%s)", st.name, st.about)
		section, err := st.run(b, ctx)
		if err != nil {
			partial(st.name)
			return fmt.Errorf("%s: %w", st.name, err)
		}
		sections = append(sections, section)
	}
	up.stop()
	report(o, results, sections, start, load, "")
	return nil
}

// report prints the run's header (date, machine, settings), the table, and the
// steps' sections to stdout.
func report(o options, results []result, sections []string, start time.Time, load, note string) {
	fmt.Println()
	if note != "" {
		fmt.Println(note)
	}
	fmt.Printf("loadbench %s, %s, %d cores, load average %s at start; %d rounds x %s (warm-up %s), wrk %d connections, proxy on core %s, wrk+upstream on core %s, total %s\n",
		start.UTC().Format("2006-01-02 15:04 MST"), cpuModel(), numCPU(), load, o.rounds, o.duration, o.warmup,
		o.connections, o.proxyCPU, o.loadCPU, time.Since(start).Round(time.Second))
	if len(results) > 0 {
		fmt.Println()
		printTable(os.Stdout, results)
	}
	for _, s := range sections {
		fmt.Println()
		fmt.Print(s)
	}
}

// cpuModel is the processor's name from /proc/cpuinfo.
func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// loadAverage is the 1-minute load average: how busy the machine was beforehand.
func loadAverage() string {
	b, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "unknown"
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func envString(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

// repoRoot walks up from the working directory to the directory holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run loadbench from inside the repository (no go.mod found)")
		}
		dir = parent
	}
}
