package prometheus

import (
	"log/slog"
	"sync/atomic"

	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
)

// Name and Priority are Kong's.
const (
	Name     = "prometheus"
	Priority = 13
	Version  = meta.KongVersion
)

func init() {
	plugin.Register(plugin.Definition{
		Name: Name, Priority: Priority, Version: Version,
		Schema: configSchema,
		New:    plugin.Constructor(newHandler),
	})
}

// exportUpstreamHealth is the upstream_health_metrics of the instance
// that logged last: as in Kong, it decides whether scrapes export
// kong_upstream_target_health.
var exportUpstreamHealth atomic.Bool

type handler struct {
	c Config
}

func newHandler(c Config) (plugin.Handler, error) { return &handler{c: c}, nil }

var _ plugin.LogHandler = (*handler)(nil)

// Log records the request in the metrics the instance enables.
func (h *handler) Log(entry *plugin.LogEntry, _ *slog.Logger) {
	exportUpstreamHealth.Store(h.c.UpstreamHealthMetrics)
	requests.observe(h.c, entry)
}
