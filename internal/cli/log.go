package cli

import (
	"fmt"
	"io"
	"time"
)

// cliLevel is a level of the CLI's own output, Kong's
// kong/cmd/utils/log.lua levels.
type cliLevel int

const (
	levelDebug cliLevel = iota + 1
	levelVerbose
	levelInfo
	levelWarn
	levelError
	levelQuiet
)

var cliLevelNames = [...]string{
	levelDebug:   "debug",
	levelVerbose: "verbose",
	levelInfo:    "info",
	levelWarn:    "warn",
	levelError:   "error",
}

// cliLog writes what the commands say the way Kong's CLI does: messages
// below warn on stdout, warn and error on stderr prefixed with the time and
// the level; under --v or --vv every line gets that prefix.
type cliLog struct {
	stdout, stderr io.Writer
	level          cliLevel
	now            func() time.Time
}

func newCLILog(stdout, stderr io.Writer) *cliLog {
	return &cliLog{stdout: stdout, stderr: stderr, level: levelInfo, now: time.Now}
}

func (l *cliLog) logf(lv cliLevel, format string, args ...any) {
	if lv < l.level {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if l.level < levelInfo || lv >= levelWarn {
		msg = fmt.Sprintf("%s [%s] %s", l.now().Format("2006/01/02 15:04:05"), cliLevelNames[lv], msg)
	}
	w := l.stdout
	if lv >= levelWarn {
		w = l.stderr
	}
	fmt.Fprintln(w, msg)
}

// Debug logs with --vv only.
func (l *cliLog) Debug(format string, args ...any) { l.logf(levelDebug, format, args...) }

// Verbose logs with --v or --vv.
func (l *cliLog) Verbose(format string, args ...any) { l.logf(levelVerbose, format, args...) }

// Info is Kong's plain log(...): the commands' normal output.
func (l *cliLog) Info(format string, args ...any) { l.logf(levelInfo, format, args...) }

// Warn logs to stderr.
func (l *cliLog) Warn(format string, args ...any) { l.logf(levelWarn, format, args...) }

// Error logs to stderr.
func (l *cliLog) Error(format string, args ...any) { l.logf(levelError, format, args...) }

// quiet silences the log until restore is called (Kong's log.disable and
// log.enable).
func (l *cliLog) quiet() (restore func()) {
	prev := l.level
	l.level = levelQuiet
	return func() { l.level = prev }
}
