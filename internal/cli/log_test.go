package cli

import (
	"bytes"
	"testing"
	"time"
)

func TestCLILog(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 1, 31, 12, 34, 56, 0, time.Local)
	tests := []struct {
		name             string
		level            cliLevel
		wantOut, wantErr string
	}{
		{"default", levelInfo,
			"info\n",
			"2025/01/31 12:34:56 [warn] warn\n2025/01/31 12:34:56 [error] error\n"},
		{"verbose", levelVerbose,
			"2025/01/31 12:34:56 [verbose] verbose\n2025/01/31 12:34:56 [info] info\n",
			"2025/01/31 12:34:56 [warn] warn\n2025/01/31 12:34:56 [error] error\n"},
		{"debug", levelDebug,
			"2025/01/31 12:34:56 [debug] debug\n2025/01/31 12:34:56 [verbose] verbose\n2025/01/31 12:34:56 [info] info\n",
			"2025/01/31 12:34:56 [warn] warn\n2025/01/31 12:34:56 [error] error\n"},
		{"quiet", levelQuiet, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			l := newCLILog(&out, &errOut)
			l.now = func() time.Time { return at }
			l.level = tt.level
			l.Debug("debug")
			l.Verbose("verbose")
			l.Info("info")
			l.Warn("warn")
			l.Error("error")
			if out.String() != tt.wantOut {
				t.Errorf("stdout = %q, want %q", out.String(), tt.wantOut)
			}
			if errOut.String() != tt.wantErr {
				t.Errorf("stderr = %q, want %q", errOut.String(), tt.wantErr)
			}
		})
	}
}

func TestCLILogQuiet(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	l := newCLILog(&out, &out)
	restore := l.quiet()
	inner := l.quiet()
	l.Error("hidden")
	inner()
	l.Info("still hidden")
	restore()
	l.Info("shown %d", 1)
	if out.String() != "shown 1\n" {
		t.Errorf("output = %q, want only the line after restore", out.String())
	}
}
