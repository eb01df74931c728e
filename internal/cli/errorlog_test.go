package cli

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestErrorLogFormat(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	level := new(slog.LevelVar)
	level.Set(levelNotice)
	log := slog.New(newErrorLogHandler(&buf, level))

	log.Info("hidden below notice")
	log.Log(t.Context(), levelNotice, "started", "prefix", "/usr/local/kong", "pid", 42)
	log.With("listener", "proxy").WithGroup("tls").Warn("no certificate", "addr", "0.0.0.0:8443", slog.Group("cert", "file", "a b.crt"))
	log.Error("failed", "error", "line\nbreak", "empty", "")
	log.Log(t.Context(), levelCrit, "crit")
	level.Set(slog.LevelDebug)
	log.Debug("now shown")

	pid := strconv.Itoa(os.Getpid())
	want := []string{
		"[notice] " + pid + "#0: started, prefix: /usr/local/kong, pid: 42",
		"[warn] " + pid + "#0: no certificate, listener: proxy, tls.addr: 0.0.0.0:8443, tls.cert.file: \"a b.crt\"",
		"[error] " + pid + "#0: failed, error: \"line\\nbreak\", empty: \"\"",
		"[crit] " + pid + "#0: crit",
		"[debug] " + pid + "#0: now shown",
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("log =\n%s\nwant %d lines", buf.String(), len(want))
	}
	stamp := regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d `)
	for i, line := range lines {
		if !stamp.MatchString(line) || stamp.ReplaceAllString(line, "") != want[i] {
			t.Errorf("line %d = %q, want time and %q", i, line, want[i])
		}
	}
}

func TestKongLevelNames(t *testing.T) {
	t.Parallel()
	for name, l := range kongLevels {
		if got := kongLevelName(l); got != name {
			t.Errorf("kongLevelName(%v) = %q, want %q", l, got, name)
		}
	}
}

func TestNodeLogLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		logLevel       string
		verbose, debug bool
		want           slog.Level
	}{
		{"notice", false, false, levelNotice},
		{"error", false, false, slog.LevelError},
		{"error", true, false, slog.LevelInfo},
		{"debug", true, false, slog.LevelDebug},
		{"warn", false, true, slog.LevelDebug},
		{"", false, false, levelNotice},
	}
	for _, tt := range tests {
		a := &app{verbose: tt.verbose, debug: tt.debug}
		if got := a.nodeLogLevel(tt.logLevel); got != tt.want {
			t.Errorf("nodeLogLevel(%q) with --v=%v --vv=%v = %v, want %v", tt.logLevel, tt.verbose, tt.debug, got, tt.want)
		}
	}
}

func TestOpenErrorLog(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	a := &app{stderr: &stderr, log: newCLILog(&stderr, &stderr)}

	path := filepath.Join(t.TempDir(), "error.log")
	w, err := a.openErrorLog(path)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("one\n"))
	w.Close()
	w, _ = a.openErrorLog(path)
	w.Write([]byte("two\n"))
	w.Close()
	if b, _ := os.ReadFile(path); string(b) != "one\ntwo\n" {
		t.Errorf("error log = %q, want appended lines", b)
	}

	w, _ = a.openErrorLog("")
	w.Write([]byte("discarded"))
	w, _ = a.openErrorLog("syslog:server=127.0.0.1")
	w.Write([]byte("to stderr\n"))
	if got := stderr.String(); !strings.Contains(got, "[warn] proxy_error_log syslog:server=127.0.0.1: syslog is not supported") || !strings.HasSuffix(got, "to stderr\n") {
		t.Errorf("stderr = %q", got)
	}
}
