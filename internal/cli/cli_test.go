package cli

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runCLI runs the command line in-process with env as its whole
// environment (so the tester's KONG_* variables do not leak in) and returns
// the exit status and outputs.
func runCLI(t *testing.T, env []string, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	status = run("silverback", args, env, strings.NewReader(""), &out, &errOut)
	return status, out.String(), errOut.String()
}

// writeConf writes a kong.conf with lines into dir and returns its path.
func writeConf(t *testing.T, dir string, lines ...string) string {
	t.Helper()
	path := filepath.Join(dir, "kong.conf")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// preparedPrefix returns a new prefix prepared by `silverback prepare`
// with the configuration lines, as a started node leaves it.
func preparedPrefix(t *testing.T, lines ...string) string {
	t.Helper()
	dir := t.TempDir()
	prefix := filepath.Join(dir, "prefix")
	confPath := writeConf(t, dir, lines...)
	if status, _, stderr := runCLI(t, nil, "prepare", "-c", confPath, "-p", prefix); status != 0 {
		t.Fatalf("prepare: status %d, stderr %q", status, stderr)
	}
	return prefix
}

// fakeNode runs a shell script standing in for a node of prefix (args are
// $0, $1, ...). The script says "ready" once its traps are set; then its
// pid is written to the pid file. The returned channel is closed once it
// has exited and was reaped, no longer counting as running.
func fakeNode(t *testing.T, prefix, script string, args ...string) <-chan struct{} {
	t.Helper()
	cmd := exec.Command("sh", append([]string{"-c", script}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
		t.Fatalf("fake node said %q (%v), want ready", line, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	if err := os.WriteFile(pidFile(prefix), []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return exited
}

// signalTrap is a fake node script that records each signal it receives in
// the file named by $0: it ignores HUP and QUIT, and exits on TERM.
const signalTrap = `trap 'echo HUP >> "$0"' HUP; trap 'echo QUIT >> "$0"' QUIT; trap 'echo TERM >> "$0"; exit 0' TERM; echo ready; while :; do sleep 0.05; done`

// stamp matches the time stamp the CLI log puts before warnings and errors.
var stamp = regexp.MustCompile(`(?m)^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d `)

// stripStamps removes the time stamps of CLI log lines.
func stripStamps(s string) string { return stamp.ReplaceAllString(s, "") }

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantPrefix string // of stderr
		wantUsage  string // usage line that follows
	}{
		{"no command", nil, "", "Usage: silverback COMMAND [OPTIONS]"},
		{"unknown command", []string{"roar"}, "No such command: roar\n\n", "Usage: silverback COMMAND [OPTIONS]"},
		{"help", []string{"start", "--help"}, "", "Usage: silverback start [OPTIONS]"},
		{"short help", []string{"quit", "-h"}, "", "Usage: silverback quit [OPTIONS]"},
		{"unknown flag", []string{"start", "--foo"}, "silverback: unrecognized parameter: foo\n\n", "Usage: silverback start [OPTIONS]"},
		{"unknown short flag", []string{"stop", "-x"}, "silverback: unrecognized parameter: x\n\n", "Usage: silverback stop [OPTIONS]"},
		{"missing value", []string{"start", "-c"}, "silverback: conf was expecting a value\n\n", "Usage: silverback start [OPTIONS]"},
		{"not a number", []string{"quit", "-t", "soon"}, "silverback: unable to convert to number: soon\n\n", "Usage: silverback quit [OPTIONS]"},
		{"no sub-command", []string{"config"}, "", "Usage: silverback config COMMAND [OPTIONS]"},
		{"unknown sub-command", []string{"config", "db-import"}, "No such command for config: db-import\n\n", "Usage: silverback config COMMAND [OPTIONS]"},
		{"unknown migrations command", []string{"migrations", "down"}, "No such command for migrations: down\n\n", "Usage: silverback migrations COMMAND [OPTIONS]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, stdout, stderr := runCLI(t, nil, tt.args...)
			if status != 1 {
				t.Errorf("status = %d, want 1", status)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if !strings.HasPrefix(stderr, tt.wantPrefix+tt.wantUsage) {
				t.Errorf("stderr = %q, want it to begin with %q", stderr, tt.wantPrefix+tt.wantUsage)
			}
			if !strings.HasSuffix(stderr, globalOptions) {
				t.Errorf("stderr = %q, want it to end with the global options", stderr)
			}
		})
	}
}

func TestRootUsageListsCommands(t *testing.T) {
	t.Parallel()
	_, _, stderr := runCLI(t, nil)
	want := "Usage: silverback COMMAND [OPTIONS]\n\nThe available commands are:\n check\n config\n drain\n health\n migrations\n prepare\n quit\n reload\n restart\n start\n stop\n version\n\nOptions:\n" + globalOptions
	if stderr != want {
		t.Errorf("usage =\n%s\nwant\n%s", stderr, want)
	}
}

func TestErrorOutput(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing")

	status, stdout, stderr := runCLI(t, nil, "stop", "-p", missing)
	if status != 1 || stdout != "" {
		t.Errorf("status %d, stdout %q; want 1 and nothing", status, stdout)
	}
	want := "Error: no such prefix: " + missing + "\n\n  Run with --v (verbose) or --vv (debug) for more details\n"
	if stderr != want {
		t.Errorf("stderr = %q, want %q", stderr, want)
	}

	// Verbose runs drop the hint and log the version first.
	status, stdout, stderr = runCLI(t, nil, "stop", "--v", "-p", missing)
	if status != 1 {
		t.Errorf("--v: status %d, want 1", status)
	}
	if want := "Error: no such prefix: " + missing + "\n"; stderr != want {
		t.Errorf("--v: stderr = %q, want %q", stderr, want)
	}
	if !strings.HasSuffix(stdout, " [verbose] Kong: 3.9.1\n") {
		t.Errorf("--v: stdout = %q, want the Kong version at verbose level", stdout)
	}

	_, stdout, _ = runCLI(t, nil, "--vv", "stop", "-p", missing)
	if !strings.Contains(stdout, " [debug] Silverback: ") {
		t.Errorf("--vv: stdout = %q, want Silverback's version at debug level", stdout)
	}
}

func TestNumberFlag(t *testing.T) {
	t.Parallel()
	var n number
	for _, tt := range []struct {
		in   string
		want string
	}{{"10", "10"}, {" 2.5 ", "2.5"}, {"-1", "-1"}} {
		if err := n.Set(tt.in); err != nil || n.String() != tt.want {
			t.Errorf("Set(%q): %v, %s; want %s", tt.in, err, n.String(), tt.want)
		}
	}
	if err := n.Set("ten"); err == nil || err.Error() != "unable to convert to number: ten" {
		t.Errorf("Set(ten) = %v", err)
	}
	if n.Type() != "number" {
		t.Errorf("Type() = %q", n.Type())
	}
}
