package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing")
	empty := t.TempDir()
	stopped := preparedPrefix(t)
	stale := preparedPrefix(t)
	os.WriteFile(pidFile(stale), []byte("999999999\n"), 0o644)
	running := preparedPrefix(t)
	// This test process stands in for the node.
	os.WriteFile(pidFile(running), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)

	tests := []struct {
		name       string
		prefix     string
		wantStatus int
		wantOut    string
		wantErr    string
	}{
		{"no prefix", missing, 1, "", "Error: no such prefix: " + missing},
		{"never started", empty, 1, "", "Error: Kong is not running at " + empty},
		{"stopped", stopped, 1, "nginx.......not running\n\n", "Error: Kong is not running at " + stopped},
		{"stale pid file", stale, 1, "nginx.......not running\n\n", "Error: Kong is not running at " + stale},
		{"running", running, 0, "nginx.......running\n\nKong is healthy at " + running + "\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, stdout, stderr := runCLI(t, nil, "health", "-p", tt.prefix)
			if status != tt.wantStatus || stdout != tt.wantOut {
				t.Errorf("status %d, stdout %q; want %d, %q", status, stdout, tt.wantStatus, tt.wantOut)
			}
			if tt.wantErr == "" && stderr != "" || !strings.HasPrefix(stderr, tt.wantErr) {
				t.Errorf("stderr = %q, want %q", stderr, tt.wantErr)
			}
		})
	}
}

func TestHealthDefaultPrefix(t *testing.T) {
	t.Parallel()
	prefix := preparedPrefix(t)
	os.WriteFile(pidFile(prefix), []byte(strconv.Itoa(os.Getpid())), 0o644)
	status, stdout, _ := runCLI(t, []string{"KONG_PREFIX=" + prefix}, "health")
	if status != 0 || !strings.HasSuffix(stdout, "Kong is healthy at "+prefix+"\n") {
		t.Errorf("status %d, stdout %q; want the prefix of KONG_PREFIX healthy", status, stdout)
	}
}

func TestLjust(t *testing.T) {
	t.Parallel()
	if got := ljust("nginx", 12, '.'); got != "nginx......." {
		t.Errorf("ljust = %q", got)
	}
	if got := ljust("a-long-service", 12, '.'); got != "a-long-service" {
		t.Errorf("ljust = %q", got)
	}
}
