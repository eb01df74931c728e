package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/gateway"
)

func TestMigrationsUpToDate(t *testing.T) {
	t.Parallel()
	for _, database := range []string{"sqlite", "off"} {
		for _, tt := range []struct{ cmd, want string }{
			{"bootstrap", "Database already bootstrapped\n"},
			{"up", "Database is already up-to-date\n"},
			{"finish", "No pending migrations to finish\n"},
			{"list", "Database is already up-to-date\n"},
			{"status", "{\"needs_bootstrap\":false}\n"},
		} {
			t.Run(database+"/"+tt.cmd, func(t *testing.T) {
				t.Parallel()
				env := []string{"KONG_DATABASE=" + database}
				args := []string{"migrations", tt.cmd, "-p", t.TempDir(), "--db-timeout", "5", "--lock-timeout", "30", "-f", "-y"}
				status, stdout, stderr := runCLI(t, env, args...)
				if status != 0 || stdout != tt.want || stderr != "" {
					t.Errorf("status %d, stdout %q, stderr %q; want 0, %q", status, stdout, stderr, tt.want)
				}
				// -q silences the log; status prints its JSON anyway.
				wantQuiet := ""
				if tt.cmd == "status" {
					wantQuiet = tt.want
				}
				status, stdout, _ = runCLI(t, env, append(args, "-q")...)
				if status != 0 || stdout != wantQuiet {
					t.Errorf("-q: status %d, stdout %q; want 0, %q", status, stdout, wantQuiet)
				}
			})
		}
	}
}

func TestMigrationsReset(t *testing.T) {
	t.Parallel()
	prefix := t.TempDir()
	db := filepath.Join(prefix, gateway.SQLiteFile)
	for _, f := range []string{db, db + "-wal"} {
		os.WriteFile(f, []byte("data"), 0o644)
	}

	// Not a terminal and no --yes: refused.
	status, _, stderr := runCLI(t, nil, "migrations", "reset", "-p", prefix)
	if want := "Error: not a tty: invoke 'reset' non-interactively with the --yes flag\n"; status != 1 || !strings.HasPrefix(stderr, want) {
		t.Errorf("status %d, stderr %q; want 1, %q", status, stderr, want)
	}

	// Refused while a node runs on the database.
	os.Mkdir(filepath.Join(prefix, "pids"), 0o755)
	os.WriteFile(pidFile(prefix), []byte(strconv.Itoa(os.Getpid())), 0o644)
	status, _, stderr = runCLI(t, nil, "migrations", "reset", "-y", "-p", prefix)
	if want := "Error: Kong is running in " + prefix; status != 1 || !strings.HasPrefix(stderr, want) {
		t.Errorf("status %d, stderr %q; want 1, %q", status, stderr, want)
	}
	os.Remove(pidFile(prefix))

	status, stdout, _ := runCLI(t, nil, "migrations", "reset", "-y", "-p", prefix)
	if want := "Resetting database...\nDatabase successfully reset\n"; status != 0 || stdout != want {
		t.Errorf("status %d, stdout %q; want 0, %q", status, stdout, want)
	}
	for _, f := range []string{db, db + "-wal"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s survived the reset", f)
		}
	}

	status, stdout, _ = runCLI(t, nil, "migrations", "reset", "--yes", "-p", prefix)
	if want := "Database not bootstrapped, nothing to reset\n"; status != 0 || stdout != want {
		t.Errorf("status %d, stdout %q; want 0, %q", status, stdout, want)
	}
}

func TestConfirm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		input   string
		want    bool
		prompts int
	}{
		{"y\n", true, 1},
		{"YES\n", true, 1},
		{"n\n", false, 1},
		{"maybe\nyes\n", true, 2},
		{"a\nb\nc\ny\n", false, 3},
		{"", false, 1},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		got := confirm(strings.NewReader(tt.input), &out, "Sure?")
		if got != tt.want || strings.Count(out.String(), "> Sure? [y/n] ") != tt.prompts {
			t.Errorf("confirm(%q) = %v after %q; want %v after %d prompts", tt.input, got, out.String(), tt.want, tt.prompts)
		}
	}
}
