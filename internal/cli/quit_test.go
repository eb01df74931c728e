package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestQuit(t *testing.T) {
	t.Parallel()
	const graceful = `trap 'echo QUIT >> "$0"; exit 0' QUIT; trap 'echo TERM >> "$0"; exit 0' TERM; echo ready; while :; do sleep 0.05; done`
	tests := []struct {
		name        string
		script      string
		args        []string
		wantOut     string
		wantErr     string // with the time stamp removed
		wantSignals string
		minTime     time.Duration
	}{
		{"graceful", graceful, nil, "Kong stopped (gracefully)\n", "", "QUIT\n", 0},
		{"wait first", graceful, []string{"-w", "0.3"}, "Kong stopped (gracefully)\n", "", "QUIT\n", 300 * time.Millisecond},
		{"timeout", signalTrap, []string{"-t", "0.5"}, "Timeout, Kong stopped forcefully\n", "", "QUIT\nTERM\n", time.Second},
		{"stops while waiting", `echo ready; sleep 0.2`, []string{"--wait", "5"}, "", "[error] Kong stopped while waiting (unexpected)\n", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			prefix := preparedPrefix(t)
			signals := filepath.Join(t.TempDir(), "signals")
			exited := fakeNode(t, prefix, tt.script, signals)

			began := time.Now()
			status, stdout, stderr := runCLI(t, nil, append([]string{"quit", "-p", prefix}, tt.args...)...)
			took := time.Since(began)
			if status != 0 || stdout != tt.wantOut {
				t.Errorf("status %d, stdout %q; want 0, %q", status, stdout, tt.wantOut)
			}
			if got := stripStamps(stderr); got != tt.wantErr {
				t.Errorf("stderr = %q, want %q", got, tt.wantErr)
			}
			if took < tt.minTime {
				t.Errorf("quit took %s, want at least %s", took, tt.minTime)
			}
			<-exited
			if b, _ := os.ReadFile(signals); string(b) != tt.wantSignals {
				t.Errorf("the node received %q, want %q", b, tt.wantSignals)
			}
		})
	}
}

func TestQuitNotRunning(t *testing.T) {
	t.Parallel()
	prefix := preparedPrefix(t)
	status, _, stderr := runCLI(t, nil, "quit", "-p", prefix)
	if want := "Error: nginx not running in prefix: " + prefix + "\n"; status != 1 || !strings.HasPrefix(stderr, want) {
		t.Errorf("status %d, stderr %q; want 1, %q", status, stderr, want)
	}
}

func TestSeconds(t *testing.T) {
	t.Parallel()
	if got := seconds(1.5); got != 1500*time.Millisecond {
		t.Errorf("seconds(1.5) = %s", got)
	}
	if got := seconds(-3); got != 0 {
		t.Errorf("seconds(-3) = %s", got)
	}
	if got := formatSeconds(2500 * time.Millisecond); got != "2.5" {
		t.Errorf("formatSeconds = %q", got)
	}
}
