package cli

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests in this file build the silverback binary once and run it as
// Kong's users do: `silverback start` in the foreground with a temporary
// prefix and listeners on free 127.0.0.1 ports, driven by the other
// commands and by signals.

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
	// binaryBuildFlags are added to go build (race_test.go adds -race).
	binaryBuildFlags []string
)

func TestMain(m *testing.M) {
	status := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(status)
}

// silverbackBinary builds cmd/silverback once per test run.
func silverbackBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the silverback binary")
	}
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "silverback-cli-test-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "silverback")
		args := append([]string{"build"}, binaryBuildFlags...)
		args = append(args, "-o", binPath, "github.com/silverback-gw/silverback/cmd/silverback")
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// freeAddr returns a 127.0.0.1 address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// testNode is a prefix, a kong.conf and listener addresses for running
// silverback commands against.
type testNode struct {
	t                    *testing.T
	bin                  string
	prefix, conf         string
	proxy, admin, status string
	env                  []string
}

// newTestNode prepares a node with the kong.conf lines. Its listeners are
// given as KONG_* variables, as containers give them.
func newTestNode(t *testing.T, confLines ...string) *testNode {
	t.Helper()
	dir := t.TempDir()
	n := &testNode{
		t:      t,
		bin:    silverbackBinary(t),
		prefix: filepath.Join(dir, "prefix"),
		conf:   writeConf(t, dir, confLines...),
		proxy:  freeAddr(t),
		admin:  freeAddr(t),
		status: freeAddr(t),
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KONG_") {
			n.env = append(n.env, kv)
		}
	}
	n.env = append(n.env,
		"KONG_PROXY_LISTEN="+n.proxy,
		"KONG_ADMIN_LISTEN="+n.admin,
		"KONG_STATUS_LISTEN="+n.status,
	)
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(n.prefix, "logs", "error.log"))
			t.Logf("error.log:\n%s", b)
		}
	})
	return n
}

// command returns a silverback command with the node's environment.
func (n *testNode) command(args ...string) *exec.Cmd {
	cmd := exec.Command(n.bin, args...)
	cmd.Env = n.env
	return cmd
}

// run runs a silverback command to completion.
func (n *testNode) run(args ...string) (status int, stdout, stderr string) {
	n.t.Helper()
	var out, errOut strings.Builder
	cmd := n.command(args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		n.t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}

// process is a silverback command running in the background.
type process struct {
	cmd    *exec.Cmd
	stdout *lockedBuffer
	stderr *lockedBuffer
	exited chan struct{}
}

// background starts a silverback command and returns once it printed
// "Kong started", failing the test if it exits first.
func (n *testNode) background(args ...string) *process {
	n.t.Helper()
	p := n.spawn(args...)
	select {
	case <-p.started():
	case <-p.exited:
		n.t.Fatalf("%v exited with %v before starting\nstdout: %s\nstderr: %s", args, p.cmd.ProcessState, p.stdout, p.stderr)
	case <-time.After(30 * time.Second):
		n.t.Fatalf("%v did not start\nstdout: %s\nstderr: %s", args, p.stdout, p.stderr)
	}
	return p
}

// start starts the node in the foreground, as `silverback start -c conf -p prefix`.
func (n *testNode) start() *process {
	n.t.Helper()
	return n.background("start", "-c", n.conf, "-p", n.prefix)
}

// spawn starts a silverback command and collects its output.
func (n *testNode) spawn(args ...string) *process {
	n.t.Helper()
	p := &process{cmd: n.command(args...), stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, exited: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		close(p.exited)
	}()
	n.t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
	})
	return p
}

// started is closed once the process printed "Kong started".
func (p *process) started() <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		for {
			if strings.Contains(p.stdout.String(), "Kong started\n") {
				close(ch)
				return
			}
			select {
			case <-p.exited:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return ch
}

// wait waits for the process to exit and returns its exit status.
func (p *process) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(30 * time.Second):
		t.Fatalf("the node did not exit\nstdout: %s\nstderr: %s", p.stdout, p.stderr)
		return -1
	}
}

// get sends GET url and returns the status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestNodeLifecycle(t *testing.T) {
	t.Parallel()
	n := newTestNode(t)
	node := n.start()
	if want := "prefix directory " + n.prefix + " not found, trying to create it\nKong started\n"; node.stdout.String() != want {
		t.Errorf("start printed %q, want %q", node.stdout, want)
	}
	if b, _ := os.ReadFile(pidFile(n.prefix)); strings.TrimSpace(string(b)) != strconv.Itoa(node.cmd.Process.Pid) {
		t.Errorf("pid file holds %q, want the node's pid %d", b, node.cmd.Process.Pid)
	}
	if _, err := os.Stat(filepath.Join(n.prefix, ".kong_env")); err != nil {
		t.Error(err)
	}

	if status, body := get(t, "http://"+n.proxy+"/nothing"); status != http.StatusNotFound || !strings.Contains(body, "no Route matched with those values") {
		t.Errorf("proxy: %d %s", status, body)
	}
	if status, body := get(t, "http://"+n.admin+"/"); status != http.StatusOK || !strings.Contains(body, `"version":"3.9.1"`) {
		t.Errorf("Admin API: %d %.200s", status, body)
	}
	if status, body := get(t, "http://"+n.status+"/status"); status != http.StatusOK {
		t.Errorf("status listener: %d %s", status, body)
	}

	status, stdout, _ := n.run("health", "-p", n.prefix)
	if want := "nginx.......running\n\nKong is healthy at " + n.prefix + "\n"; status != 0 || stdout != want {
		t.Errorf("health: %d %q, want 0 %q", status, stdout, want)
	}
	status, _, stderr := n.run("start", "-c", n.conf, "-p", n.prefix)
	if want := "Error: Kong is already running in " + n.prefix + "\n\n  Run with --v (verbose) or --vv (debug) for more details\n"; status != 1 || stderr != want {
		t.Errorf("second start: %d %q, want 1 %q", status, stderr, want)
	}

	status, stdout, stderr = n.run("stop", "-p", n.prefix)
	if status != 0 || stdout != "Kong stopped\n" {
		t.Errorf("stop: %d %q %q", status, stdout, stderr)
	}
	if status := node.wait(t); status != 0 {
		t.Errorf("the node exited with %d, want 0\nstderr: %s", status, node.stderr)
	}
	if _, err := os.Stat(pidFile(n.prefix)); err == nil {
		t.Error("the pid file survived the node")
	}
	status, stdout, stderr = n.run("health", "-p", n.prefix)
	if status != 1 || stdout != "nginx.......not running\n\n" || !strings.HasPrefix(stderr, "Error: Kong is not running at "+n.prefix+"\n") {
		t.Errorf("health after stop: %d %q %q", status, stdout, stderr)
	}
	status, _, stderr = n.run("stop", "-p", n.prefix)
	if status != 1 || !strings.HasPrefix(stderr, "Error: nginx not running in prefix: "+n.prefix+"\n") {
		t.Errorf("second stop: %d %q", status, stderr)
	}
}

func TestNodeStopsOnSignals(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			n := newTestNode(t)
			node := n.start()
			node.cmd.Process.Signal(sig)
			if status := node.wait(t); status != 0 {
				t.Errorf("exit status %d, want 0\nstderr: %s", status, node.stderr)
			}
			if _, err := os.Stat(pidFile(n.prefix)); err == nil {
				t.Error("the pid file survived the node")
			}
		})
	}
}

func TestNodeStartFails(t *testing.T) {
	t.Parallel()
	n := newTestNode(t)
	taken, err := net.Listen("tcp", n.proxy)
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()

	status, stdout, stderr := n.run("start", "-c", n.conf, "-p", n.prefix)
	if status != 1 || strings.Contains(stdout, "Kong started") {
		t.Errorf("status %d, stdout %q; want 1 without starting", status, stdout)
	}
	if !strings.HasPrefix(stderr, "Error: ") || !strings.Contains(stderr, n.proxy) || !strings.HasSuffix(stderr, errorHint) {
		t.Errorf("stderr = %q, want an error naming %s", stderr, n.proxy)
	}
	if _, err := os.Stat(pidFile(n.prefix)); err == nil {
		t.Error("a pid file was left behind")
	}
	// The other listeners were released: a node can start once the port is free.
	taken.Close()
	node := n.start()
	node.cmd.Process.Signal(syscall.SIGTERM)
	node.wait(t)
}

// slowUpstream is an upstream whose /slow answers after delay; arrived
// receives once a request reached it.
func slowUpstream(t *testing.T, delay time.Duration) (url string, arrived <-chan struct{}) {
	t.Helper()
	ch := make(chan struct{}, 8)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/slow" {
			fmt.Fprint(w, "fast "+r.URL.Path)
			return
		}
		ch <- struct{}{}
		select {
		case <-time.After(delay):
		case <-release:
		}
		fmt.Fprint(w, "slow done")
	}))
	t.Cleanup(func() {
		close(release)
		srv.Close()
	})
	return srv.URL, ch
}

// writeDeclarative writes a kong.yml routing each path to upstream.
func writeDeclarative(t *testing.T, path, upstream string, paths ...string) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "_format_version: \"3.0\"\nservices:\n- name: upstream\n  url: %s\n  routes:\n", upstream)
	for i, p := range paths {
		fmt.Fprintf(&b, "  - name: route-%d\n    paths: [%q]\n    strip_path: false\n", i, p)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// dblessNode is a DB-less node whose kong.yml routes paths to upstream.
func dblessNode(t *testing.T, upstream string, paths ...string) (*testNode, string) {
	t.Helper()
	kongYML := filepath.Join(t.TempDir(), "kong.yml")
	writeDeclarative(t, kongYML, upstream, paths...)
	return newTestNode(t, "database = off", "declarative_config = "+kongYML), kongYML
}

// awaitArrival waits for a request to reach the upstream, failing the test
// if the client got an answer first.
func awaitArrival(t *testing.T, arrived <-chan struct{}, result <-chan string) {
	t.Helper()
	select {
	case <-arrived:
	case got := <-result:
		t.Fatalf("the request was answered without reaching the upstream: %s", got)
	case <-time.After(30 * time.Second):
		t.Fatal("the request did not reach the upstream")
	}
}

// inFlight sends GET url in the background and returns its outcome.
func inFlight(url string) <-chan string {
	out := make(chan string, 1)
	go func() {
		res, err := http.Get(url)
		if err != nil {
			out <- "error: " + err.Error()
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			out <- "error: " + err.Error()
			return
		}
		out <- strconv.Itoa(res.StatusCode) + " " + string(b)
	}()
	return out
}

func TestNodeQuitLetsInFlightRequestsFinish(t *testing.T) {
	t.Parallel()
	upstream, arrived := slowUpstream(t, time.Second)
	n, _ := dblessNode(t, upstream, "/slow")
	node := n.start()

	result := inFlight("http://" + n.proxy + "/slow")
	awaitArrival(t, arrived, result)
	status, stdout, stderr := n.run("quit", "-p", n.prefix)
	if status != 0 || stdout != "Kong stopped (gracefully)\n" {
		t.Errorf("quit: %d %q %q", status, stdout, stderr)
	}
	if got := <-result; got != "200 slow done" {
		t.Errorf("in-flight request: %s, want 200 slow done", got)
	}
	if status := node.wait(t); status != 0 {
		t.Errorf("the node exited with %d, want 0\nstderr: %s", status, node.stderr)
	}
}

func TestNodeQuitTimeout(t *testing.T) {
	t.Parallel()
	upstream, arrived := slowUpstream(t, time.Minute)
	n, _ := dblessNode(t, upstream, "/slow")
	node := n.start()

	result := inFlight("http://" + n.proxy + "/slow")
	awaitArrival(t, arrived, result)
	began := time.Now()
	status, stdout, stderr := n.run("quit", "-p", n.prefix, "-t", "1")
	if status != 0 || stdout != "Timeout, Kong stopped forcefully\n" {
		t.Errorf("quit: %d %q %q", status, stdout, stderr)
	}
	if took := time.Since(began); took < time.Second || took > 10*time.Second {
		t.Errorf("quit took %s, want the 1 s timeout and a forced stop", took)
	}
	if got := <-result; !strings.HasPrefix(got, "error: ") {
		t.Errorf("in-flight request: %s, want it cut", got)
	}
	if status := node.wait(t); status != 0 {
		t.Errorf("the node exited with %d, want 0\nstderr: %s", status, node.stderr)
	}
}

func TestNodeStopDoesNotWait(t *testing.T) {
	t.Parallel()
	upstream, arrived := slowUpstream(t, time.Minute)
	n, _ := dblessNode(t, upstream, "/slow")
	node := n.start()

	result := inFlight("http://" + n.proxy + "/slow")
	awaitArrival(t, arrived, result)
	began := time.Now()
	status, stdout, _ := n.run("stop", "-p", n.prefix)
	if status != 0 || stdout != "Kong stopped\n" {
		t.Errorf("stop: %d %q", status, stdout)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("stop took %s, want it not to wait for the request", took)
	}
	if got := <-result; !strings.HasPrefix(got, "error: ") {
		t.Errorf("in-flight request: %s, want it cut", got)
	}
	if status := node.wait(t); status != 0 {
		t.Errorf("the node exited with %d, want 0", status)
	}
}

func TestNodeReload(t *testing.T) {
	t.Parallel()
	upstream, _ := slowUpstream(t, 0)
	n, kongYML := dblessNode(t, upstream, "/one")
	node := n.start()
	defer func() {
		node.cmd.Process.Signal(syscall.SIGTERM)
		node.wait(t)
	}()
	routes := func(path string) int {
		status, _ := get(t, "http://"+n.proxy+path)
		return status
	}
	if routes("/one") != http.StatusOK || routes("/two") != http.StatusNotFound {
		t.Fatal("the first configuration is not served")
	}

	writeDeclarative(t, kongYML, upstream, "/two")
	status, stdout, stderr := n.run("reload", "-c", n.conf, "-p", n.prefix)
	if status != 0 || stdout != "Kong reloaded\n" {
		t.Errorf("reload: %d %q %q", status, stdout, stderr)
	}
	waitFor(t, "/two to be routed", func() bool { return routes("/two") == http.StatusOK })
	if routes("/one") != http.StatusNotFound {
		t.Error("/one is still routed after the reload")
	}

	// An invalid file: the node keeps serving, and says why in its log.
	os.WriteFile(kongYML, []byte("_format_version: \"3.0\"\nservices:\n- port: 99999\n"), 0o644)
	if status, _, stderr := n.run("reload", "-p", n.prefix); status != 0 {
		t.Errorf("reload: %d %q", status, stderr)
	}
	errorLog := filepath.Join(n.prefix, "logs", "error.log")
	waitFor(t, "the reload error in error.log", func() bool {
		b, _ := os.ReadFile(errorLog)
		return strings.Contains(string(b), "could not reload the configuration, keeping the current one")
	})
	if routes("/two") != http.StatusOK {
		t.Error("the node stopped serving its configuration after an invalid reload")
	}

	// A bare SIGHUP reloads too.
	writeDeclarative(t, kongYML, upstream, "/three")
	node.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "/three to be routed", func() bool { return routes("/three") == http.StatusOK })
}

func TestNodeRestart(t *testing.T) {
	t.Parallel()
	prefix := filepath.Join(t.TempDir(), "prefix")
	n := newTestNode(t, "prefix = "+prefix)

	// Nothing runs yet: restart just starts, in the configuration's prefix.
	first := n.background("restart", "-c", n.conf)
	if want := "prefix directory " + prefix + " not found, trying to create it\nKong started\n"; first.stdout.String() != want {
		t.Errorf("restart printed %q, want %q", first.stdout, want)
	}

	second := n.background("restart", "-p", prefix)
	if status := first.wait(t); status != 0 {
		t.Errorf("the first node exited with %d, want 0", status)
	}
	if b, _ := os.ReadFile(pidFile(prefix)); strings.TrimSpace(string(b)) != strconv.Itoa(second.cmd.Process.Pid) {
		t.Errorf("pid file holds %q, want the new node's pid", b)
	}
	if status, _ := get(t, "http://"+n.admin+"/"); status != http.StatusOK {
		t.Errorf("Admin API after restart: %d", status)
	}
	if status, _, _ := n.run("quit", "-p", prefix); status != 0 {
		t.Errorf("quit: %d", status)
	}
	second.wait(t)

	if status, _, stderr := n.run("restart", "-p", filepath.Join(t.TempDir(), "never-started")); status != 1 || !strings.Contains(stderr, "Error: no file at: ") {
		t.Errorf("restart of a prefix never started: %d %q", status, stderr)
	}
}
