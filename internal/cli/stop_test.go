package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStop(t *testing.T) {
	t.Parallel()
	prefix := preparedPrefix(t)
	signals := filepath.Join(t.TempDir(), "signals")
	exited := fakeNode(t, prefix, signalTrap, signals)

	status, stdout, stderr := runCLI(t, nil, "stop", "-p", prefix)
	if status != 0 || stdout != "Kong stopped\n" || stderr != "" {
		t.Errorf("status %d, stdout %q, stderr %q; want 0, Kong stopped", status, stdout, stderr)
	}
	select {
	case <-exited:
	default:
		t.Error("stop returned before the node exited")
	}
	if b, _ := os.ReadFile(signals); string(b) != "TERM\n" {
		t.Errorf("the node received %q, want TERM", b)
	}
}

func TestStopErrors(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing")
	empty := t.TempDir()
	stopped := preparedPrefix(t)
	tests := []struct {
		name, prefix, wantErr string
	}{
		{"no prefix", missing, "Error: no such prefix: " + missing + "\n"},
		{"never started", empty, "Error: no file at: " + filepath.Join(empty, ".kong_env") + "\n"},
		{"not running", stopped, "Error: nginx not running in prefix: " + stopped + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, stdout, stderr := runCLI(t, nil, "stop", "-p", tt.prefix)
			if status != 1 || stdout != "" || !strings.HasPrefix(stderr, tt.wantErr) {
				t.Errorf("status %d, stdout %q, stderr %q; want 1, %q", status, stdout, stderr, tt.wantErr)
			}
		})
	}
}
