package gateway

import (
	"net"
	"net/http"
	"net/http/pprof"

	"github.com/silverback-gw/silverback/internal/conf"
)

// debugProfiles are the runtime/pprof profiles debug_listen serves by name.
var debugProfiles = []string{"heap", "allocs", "goroutine", "block", "mutex", "threadcreate"}

// debugHandler serves net/http/pprof under /debug/pprof/ and nothing else:
// the index, cmdline, profile (CPU), symbol, trace and the named profiles.
func debugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/{$}", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol) // GET and POST
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	for _, name := range debugProfiles {
		mux.Handle("GET /debug/pprof/"+name, pprof.Handler(name))
	}
	return mux
}

// listenDebug binds debug_listen, warning about addresses other than
// loopback: profiles show the command line and the program's internals.
func (g *Gateway) listenDebug() ([]*server, error) {
	for _, l := range g.cfg.DebugListen {
		if !isLoopback(l) {
			g.log.Warn("debug_listen serves pprof profiles on a non-loopback address", "addr", l.Addr())
		}
	}
	return listen("debug", g.cfg.DebugListen, debugHandler(), nil, "", g.log)
}

// isLoopback reports whether l listens on a loopback address only.
func isLoopback(l conf.Listener) bool {
	if l.Host == "localhost" {
		return true
	}
	ip := net.ParseIP(l.Host)
	return ip != nil && ip.IsLoopback()
}
