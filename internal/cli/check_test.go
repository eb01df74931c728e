package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	valid := writeConf(t, t.TempDir(), "log_level = debug", "database = off")
	invalid := writeConf(t, dir, "log_level = loud", "lua_max_req_headers = 0")
	missing := filepath.Join(dir, "missing.conf")

	tests := []struct {
		name       string
		env        []string
		args       []string
		wantStatus int
		wantOut    string
		wantErr    string // with the time stamps removed
	}{
		{"valid", nil, []string{"check", valid}, 0, "configuration at " + valid + " is valid\n", ""},
		{"every error", nil, []string{"check", invalid}, 1, "",
			"[error] log_level has an invalid value: 'loud' (debug, info, notice, warn, error, crit, alert, emerg)\n" +
				"[error] lua_max_req_headers must be an integer between 1 and 1000\n"},
		{"environment counts", []string{"KONG_LOG_LEVEL=loud"}, []string{"check", valid}, 1, "",
			"[error] log_level has an invalid value: 'loud' (debug, info, notice, warn, error, crit, alert, emerg)\n"},
		{"missing file", nil, []string{"check", missing}, 1, "", "[error] no file at: " + missing + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, stdout, stderr := runCLI(t, tt.env, tt.args...)
			if status != tt.wantStatus || stdout != tt.wantOut {
				t.Errorf("status %d, stdout %q; want %d, %q", status, stdout, tt.wantStatus, tt.wantOut)
			}
			if got := stripStamps(stderr); got != tt.wantErr {
				t.Errorf("stderr = %q, want %q", got, tt.wantErr)
			}
			if strings.Contains(stderr, "Error:") {
				t.Errorf("stderr = %q: check logs errors, it does not fail with one", stderr)
			}
		})
	}
}
