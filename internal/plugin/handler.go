package plugin

import (
	"errors"
	"log/slog"
)

// Handler is a plugin instance's handler: a value implementing any of the
// phase interfaces below. It is built once per configured instance and
// shared by every request, so its methods must be safe for concurrent use.
type Handler any

// ErrExit is returned by PDK.Response.Exit and Error: returning it ends
// the phase, like Kong's `return kong.response.exit(...)`. It is not a
// failure.
var ErrExit = errors.New("plugin: the response was produced by a plugin")

// RewriteHandler runs before routing; only global instances (no route,
// service or consumer) run it.
type RewriteHandler interface {
	Rewrite(kong *PDK) error
}

// AccessHandler runs after routing, before the upstream is contacted. An
// exit (ErrExit) stops further access handlers; any other error is
// logged and answered with Kong's 500.
type AccessHandler interface {
	Access(kong *PDK) error
}

// HeaderFilterHandler runs once the response status and headers are known
// and can change them (kong.response). An error is logged.
type HeaderFilterHandler interface {
	HeaderFilter(kong *PDK) error
}

// BodyFilterHandler sees each chunk of the response body (eof on the last
// call, whose chunk may be empty) and returns the chunk to send.
type BodyFilterHandler interface {
	BodyFilter(kong *PDK, chunk []byte, eof bool) []byte
}

// LogHandler runs after the response was sent, on the log queue's
// goroutine, never on the request's: entry is a copy of what the request
// left, and log is tagged with the plugin's name.
type LogHandler interface {
	Log(entry *LogEntry, log *slog.Logger)
}
