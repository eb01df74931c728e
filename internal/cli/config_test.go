package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/silverback-gw/silverback/internal/declarative"
)

const validDeclarative = `_format_version: "3.0"
services:
- name: example
  url: http://example.test:8080/api
  routes:
  - name: example-route
    paths:
    - /example
`

const invalidDeclarative = `_format_version: "3.0"
services:
- name: example
  host: example.test
  port: 99999
`

func TestConfigInit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "example.yml")

	status, stdout, stderr := runCLI(t, nil, "config", "init", path)
	if status != 0 || stdout != "" || stderr != "" {
		t.Fatalf("status %d, stdout %q, stderr %q; want 0 and silence", status, stdout, stderr)
	}
	if b, _ := os.ReadFile(path); string(b) != declarative.ExampleConfig {
		t.Errorf("%s does not hold the example configuration", path)
	}

	status, _, stderr = runCLI(t, nil, "config", "init", path)
	if want := "Error: " + path + " already exists.\nWill not overwrite it.\n"; status != 1 || !strings.HasPrefix(stderr, want) {
		t.Errorf("second init: status %d, stderr %q; want 1, %q", status, stderr, want)
	}
}

func TestConfigInitExampleParses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "kong.yml")
	runCLI(t, nil, "config", "init", path)
	status, stdout, stderr := runCLI(t, nil, "config", "parse", path, "-p", dir)
	if status != 0 || stdout != "parse successful\n" {
		t.Errorf("status %d, stdout %q, stderr %q; want the example to parse", status, stdout, stderr)
	}
}

func TestConfigParse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	valid := filepath.Join(dir, "valid.yml")
	invalid := filepath.Join(dir, "invalid.yml")
	garbage := filepath.Join(dir, "garbage.yml")
	missing := filepath.Join(dir, "missing.yml")
	os.WriteFile(valid, []byte(validDeclarative), 0o644)
	os.WriteFile(invalid, []byte(invalidDeclarative), 0o644)
	os.WriteFile(garbage, []byte("- just\n- a list\n"), 0o644)

	tests := []struct {
		name       string
		env        []string
		args       []string
		wantStatus int
		wantOut    string
		wantErr    string // prefix
	}{
		{"valid", nil, []string{valid}, 0, "parse successful\n", ""},
		{"valid in DB-less mode", []string{"KONG_DATABASE=off"}, []string{valid}, 0, "parse successful\n", ""},
		{"invalid", nil, []string{invalid}, 1, "", "Error: Failed parsing:\nin 'services':\n  - in entry 1 of 'services':\n    in 'port': value should be between 0 and 65535\n"},
		{"not a configuration", nil, []string{garbage}, 1, "", "Error: Failed parsing:\nfailed parsing declarative configuration"},
		{"missing file", nil, []string{missing}, 1, "", "Error: Failed parsing:\n" + missing + ": No such file or directory\n"},
		{"no file", nil, nil, 1, "", "Error: expected a declarative configuration file; see `kong config --help`\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"config", "parse", "-p", t.TempDir()}, tt.args...)
			status, stdout, stderr := runCLI(t, tt.env, args...)
			if status != tt.wantStatus || stdout != tt.wantOut || !strings.HasPrefix(stderr, tt.wantErr) {
				t.Errorf("status %d, stdout %q, stderr %q; want %d, %q, %q", status, stdout, stderr, tt.wantStatus, tt.wantOut, tt.wantErr)
			}
		})
	}
}

func TestConfigImportExport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	prefix := filepath.Join(dir, "prefix")
	file := filepath.Join(dir, "kong.yml")
	os.WriteFile(file, []byte(validDeclarative), 0o644)

	status, stdout, stderr := runCLI(t, nil, "config", "db_import", file, "-p", prefix)
	if want := "parse successful, beginning import\nimport successful\n"; status != 0 || stdout != want {
		t.Fatalf("db_import: status %d, stdout %q, stderr %q; want 0, %q", status, stdout, stderr, want)
	}

	export := filepath.Join(dir, "export.yml")
	status, stdout, stderr = runCLI(t, nil, "config", "db_export", export, "-p", prefix)
	if status != 0 || stdout != "" {
		t.Fatalf("db_export: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	b, _ := os.ReadFile(export)
	for _, want := range []string{`_format_version: "3.0"`, "_transform: false", "name: example", "name: example-route", "host: example.test"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("export lacks %q:\n%s", want, b)
		}
	}

	status, _, stderr = runCLI(t, nil, "config", "db_export", export, "-p", prefix)
	if want := "Error: " + export + " already exists. Will not overwrite it.\n"; status != 1 || !strings.HasPrefix(stderr, want) {
		t.Errorf("second db_export: status %d, stderr %q; want 1, %q", status, stderr, want)
	}

	// What the import wrote is still there, and importing it again upserts.
	status, _, stderr = runCLI(t, nil, "config", "db_import", export, "-p", prefix)
	if status != 0 {
		t.Errorf("re-import of the export: status %d, stderr %q", status, stderr)
	}
}

func TestConfigImportErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	invalid := filepath.Join(dir, "invalid.yml")
	os.WriteFile(invalid, []byte(invalidDeclarative), 0o644)

	tests := []struct {
		name    string
		env     []string
		args    []string
		wantErr string
	}{
		{"db_import DB-less", []string{"KONG_DATABASE=off"}, []string{"db_import", invalid},
			"Error: 'kong config db_import' only works with a database.\nWhen using database=off, reload your declarative configuration\nusing the /config endpoint.\n"},
		{"db_export DB-less", []string{"KONG_DATABASE=off"}, []string{"db_export"},
			"Error: 'kong config db_export' only works with a database.\n"},
		{"invalid file", nil, []string{"db_import", invalid}, "Error: Failed parsing:\nin 'services':"},
		{"invalid configuration", []string{"KONG_LOG_LEVEL=loud"}, []string{"db_import", invalid}, "Error: log_level has an invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"config", "-p", t.TempDir()}, tt.args...)
			status, stdout, stderr := runCLI(t, tt.env, args...)
			if status != 1 || stdout != "" || !strings.HasPrefix(stderr, tt.wantErr) {
				t.Errorf("status %d, stdout %q, stderr %q; want 1, %q", status, stdout, stderr, tt.wantErr)
			}
		})
	}
}

func TestConfigUsesTheNodeConfiguration(t *testing.T) {
	t.Parallel()
	// A node started DB-less in the prefix: its .kong_env wins over the
	// configuration given now (the default, sqlite).
	prefix := preparedPrefix(t, "database = off")
	status, _, stderr := runCLI(t, nil, "config", "db_export", "-p", prefix)
	if status != 1 || !strings.HasPrefix(stderr, "Error: 'kong config db_export' only works with a database.") {
		t.Errorf("status %d, stderr %q; want the node's DB-less mode to refuse", status, stderr)
	}
}

func TestLuaIOError(t *testing.T) {
	t.Parallel()
	_, err := os.ReadFile("/nonexistent/file")
	if got := luaIOError("/nonexistent/file", err); got != "/nonexistent/file: No such file or directory" {
		t.Errorf("luaIOError = %q", got)
	}
}

// TestConfigImportProgress: a large import reports its progress every
// tenth of the way between Kong's two lines.
func TestConfigImportProgress(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("_format_version: \"3.0\"\nconsumers:\n")
	for i := range 1200 {
		fmt.Fprintf(&b, "- username: user%d\n", i)
	}
	file := filepath.Join(dir, "kong.yml")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	status, stdout, stderr := runCLI(t, nil, "config", "db_import", file, "-p", filepath.Join(dir, "prefix"))
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if status != 0 || len(lines) != 12 || lines[0] != "parse successful, beginning import" ||
		lines[1] != "imported 120 of 1200 entities (10%)" || lines[10] != "imported 1200 of 1200 entities (100%)" ||
		lines[11] != "import successful" {
		t.Errorf("status %d, stdout:\n%s\nstderr: %s", status, stdout, stderr)
	}
}
