package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReloadSignalsTheNode(t *testing.T) {
	t.Parallel()
	prefix := preparedPrefix(t)
	signals := filepath.Join(t.TempDir(), "signals")
	fakeNode(t, prefix, signalTrap, signals)

	status, stdout, stderr := runCLI(t, nil, "reload", "-p", prefix, "--nginx-conf", "x.template", "--nginx-conf-flags", "y")
	if status != 0 || stdout != "Kong reloaded\n" {
		t.Errorf("status %d, stdout %q, stderr %q; want 0, Kong reloaded", status, stdout, stderr)
	}
	if !strings.Contains(stderr, "--nginx-conf x.template ignored") || !strings.Contains(stderr, "--nginx-conf-flags y ignored") {
		t.Errorf("stderr = %q, want notes that the nginx flags are ignored", stderr)
	}
	waitFor(t, "SIGHUP", func() bool {
		b, _ := os.ReadFile(signals)
		return string(b) == "HUP\n"
	})
}

func TestReloadErrors(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing")
	stopped := preparedPrefix(t)
	running := preparedPrefix(t)
	signals := filepath.Join(t.TempDir(), "signals")
	fakeNode(t, running, signalTrap, signals)

	tests := []struct {
		name    string
		env     []string
		args    []string
		wantErr string
	}{
		{"no prefix", nil, []string{"-p", missing}, "Error: no such prefix: " + missing + "\n"},
		{"not running", nil, []string{"-p", stopped}, "Error: nginx not running in prefix: " + stopped + "\n"},
		{"invalid configuration", []string{"KONG_LOG_LEVEL=loud"}, []string{"-p", running}, "Error: log_level has an invalid value: 'loud'"},
		{"missing file", nil, []string{"-p", running, "-c", missing}, "Error: no file at: " + missing + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, stdout, stderr := runCLI(t, tt.env, append([]string{"reload"}, tt.args...)...)
			if status != 1 || stdout != "" || !strings.HasPrefix(stderr, tt.wantErr) {
				t.Errorf("status %d, stdout %q, stderr %q; want 1, %q", status, stdout, stderr, tt.wantErr)
			}
		})
	}
	if b, _ := os.ReadFile(signals); len(b) != 0 {
		t.Errorf("the node received %q after failed reloads, want nothing", b)
	}
}
