package admin

import (
	"math"
	"net/http"
	"sync"
	"time"
)

// logLevels are Kong's log levels, most verbose first.
var logLevels = []string{"debug", "info", "notice", "warn", "error", "crit", "alert", "emerg"}

func knownLevel(l string) bool {
	for _, x := range logLevels {
		if x == l {
			return true
		}
	}
	return false
}

// LevelVar is an in-memory LogLevel: the level set through
// /debug/node/log-level, falling back to the configured one after its
// timeout. OnChange, when set, is called with every new level.
type LevelVar struct {
	mu       sync.Mutex
	base     string
	current  string
	timer    *time.Timer
	OnChange func(level string)
}

// NewLogLevel returns a LevelVar at level ("notice" when empty or unknown).
func NewLogLevel(level string) *LevelVar {
	if !knownLevel(level) {
		level = "notice"
	}
	return &LevelVar{base: level, current: level}
}

// Level returns the current level.
func (v *LevelVar) Level() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.current
}

// SetLevel sets the level; with a positive timeout the configured level
// comes back once it expires.
func (v *LevelVar) SetLevel(level string, timeout time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.timer != nil {
		v.timer.Stop()
		v.timer = nil
	}
	v.set(level)
	if timeout > 0 {
		v.timer = time.AfterFunc(timeout, func() {
			v.mu.Lock()
			defer v.mu.Unlock()
			v.set(v.base)
		})
	}
}

func (v *LevelVar) set(level string) {
	v.current = level
	if v.OnChange != nil {
		v.OnChange(level)
	}
}

// getLogLevel is GET /debug/node/log-level.
func (h *Handler) getLogLevel(c *call) error {
	return c.ok(message("log level: " + h.logLevel.Level()))
}

// putLogLevel is PUT /debug/{node,cluster}/log-level/{log_level}
// (kong/api/routes/debug.lua). A single node has no cluster to tell, so
// both change this node's level.
func (h *Handler) putLogLevel(c *call) error {
	if h.opts.DBLess {
		return plainError(http.StatusMethodNotAllowed, "cannot change log level when not using a database")
	}
	level := c.param("log_level")
	timeout := 60.0
	if v, ok := c.allParams()["timeout"]; ok {
		var n any
		switch x := v.(type) {
		case string:
			n, _ = luaToNumber(x)
		default:
			n = x
		}
		switch x := n.(type) {
		case int64:
			timeout = float64(x)
		case float64:
			timeout = math.Ceil(x)
		}
	}
	if !knownLevel(level) {
		return plainError(http.StatusBadRequest, "unknown log level: "+level)
	}
	if timeout < 0 {
		return plainError(http.StatusBadRequest, "timeout must be greater than or equal to 0")
	}
	if h.logLevel.Level() == level {
		return c.ok(message("log level is already " + level))
	}
	h.logLevel.SetLevel(level, time.Duration(timeout)*time.Second)
	return c.ok(message("log level changed"))
}
