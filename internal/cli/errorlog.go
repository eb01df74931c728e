package cli

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kong's log levels (nginx's) as slog levels; debug, info, warn and error
// are slog's own.
const (
	levelNotice = slog.Level(2)
	levelCrit   = slog.Level(12)
	levelAlert  = slog.Level(16)
	levelEmerg  = slog.Level(20)
)

// kongLevels maps the log_level property to a slog level.
var kongLevels = map[string]slog.Level{
	"debug":  slog.LevelDebug,
	"info":   slog.LevelInfo,
	"notice": levelNotice,
	"warn":   slog.LevelWarn,
	"error":  slog.LevelError,
	"crit":   levelCrit,
	"alert":  levelAlert,
	"emerg":  levelEmerg,
}

// kongLevelName names l as nginx does in its error log.
func kongLevelName(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "debug"
	case l < levelNotice:
		return "info"
	case l < slog.LevelWarn:
		return "notice"
	case l < slog.LevelError:
		return "warn"
	case l < levelCrit:
		return "error"
	case l < levelAlert:
		return "crit"
	case l < levelEmerg:
		return "alert"
	}
	return "emerg"
}

// nodeLogLevel is the node's log level: log_level, lowered to info by --v
// and to debug by --vv.
func (a *app) nodeLogLevel(logLevel string) slog.Level {
	l, ok := kongLevels[logLevel]
	if !ok {
		l = levelNotice // Kong's default; conf rejects other values
	}
	switch {
	case a.debug:
		l = min(l, slog.LevelDebug)
	case a.verbose:
		l = min(l, slog.LevelInfo)
	}
	return l
}

// openErrorLog opens the node's error log, proxy_error_log (logs/error.log
// under the prefix unless set otherwise, e.g. /dev/stderr in containers),
// for appending. Without one (off) the log is discarded; a syslog: target
// is not supported and logs to stderr instead.
func (a *app) openErrorLog(path string) (io.WriteCloser, error) {
	switch {
	case path == "":
		return nopCloser{io.Discard}, nil
	case strings.HasPrefix(path, "syslog:"):
		a.log.Warn("proxy_error_log %s: syslog is not supported, logging to stderr", path)
		return nopCloser{a.stderr}, nil
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// errorLogHandler writes records in nginx's error log format, which Kong's
// log tooling expects:
//
//	2025/01/31 12:00:00 [notice] 4242#0: configuration reloaded, routes: 12
type errorLogHandler struct {
	out   *lockedWriter
	level slog.Leveler
	pid   string
	attrs string // rendered attributes of WithAttrs, ", key: value" each
	group string // WithGroup names, "a.b." for keys
}

// lockedWriter serializes whole lines from the handler and its clones.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func newErrorLogHandler(w io.Writer, level slog.Leveler) *errorLogHandler {
	return &errorLogHandler{out: &lockedWriter{w: w}, level: level, pid: strconv.Itoa(os.Getpid())}
}

func (h *errorLogHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.level.Level()
}

func (h *errorLogHandler) Handle(_ context.Context, r slog.Record) error {
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	var b strings.Builder
	b.WriteString(t.Format("2006/01/02 15:04:05"))
	b.WriteString(" [" + kongLevelName(r.Level) + "] ")
	b.WriteString(h.pid + "#0: ")
	b.WriteString(r.Message)
	b.WriteString(h.attrs)
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, h.group, a)
		return true
	})
	b.WriteByte('\n')
	h.out.mu.Lock()
	defer h.out.mu.Unlock()
	_, err := io.WriteString(h.out.w, b.String())
	return err
}

func (h *errorLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	var b strings.Builder
	for _, a := range attrs {
		writeAttr(&b, h.group, a)
	}
	c.attrs += b.String()
	return &c
}

func (h *errorLogHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.group += name + "."
	return &c
}

// writeAttr renders a as ", key: value", as nginx appends context to its
// messages; groups become dotted keys and values with spaces, commas or
// quotes are quoted.
func writeAttr(b *strings.Builder, group string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		g := group
		if a.Key != "" {
			g += a.Key + "."
		}
		for _, ga := range a.Value.Group() {
			writeAttr(b, g, ga)
		}
		return
	}
	v := a.Value.String()
	if v == "" || strings.ContainsAny(v, " ,\"\n\r\t") {
		v = strconv.Quote(v)
	}
	b.WriteString(", " + group + a.Key + ": " + v)
}
