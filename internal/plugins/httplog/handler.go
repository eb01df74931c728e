package httplog

import (
	"fmt"
	"log/slog"
	"net/url"
	"sync"

	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/plugin/queue"
)

// Name and Priority are Kong's.
const (
	Name     = "http-log"
	Priority = 12
	Version  = meta.KongVersion
)

func init() {
	plugin.Register(plugin.Definition{
		Name: Name, Priority: Priority, Version: Version,
		Schema: configSchema,
		New:    plugin.Constructor(newHandler),
	})
}

// msgNoLua is logged once per instance configured with
// custom_fields_by_lua.
const msgNoLua = "custom_fields_by_lua is not supported: its fields are not added to the log"

type handler struct {
	// queueName is Kong's: instances sending to the same server with the
	// same method, content type, timeouts and retry_count share a queue.
	queueName string
	queue     queue.Config
	sender    *sender
	// warnings are logged on the first log phase.
	warnings []string
	warnOnce sync.Once
}

func newHandler(c Config) (plugin.Handler, error) {
	q, warnings := c.Legacy.Apply(c.Queue)
	s, err := newSender(c, q.MaxBatchSize)
	if err != nil {
		return nil, err
	}
	if len(c.CustomFieldsByLua) > 0 {
		warnings = append(warnings, msgNoLua)
	}
	return &handler{queueName: queueName(c), queue: q, sender: s, warnings: warnings}, nil
}

// queueName is Kong's queue name for c, with the endpoint's password
// masked as the name appears in logs.
func queueName(c Config) string {
	endpoint := c.HTTPEndpoint
	if u, err := url.Parse(endpoint); err == nil {
		endpoint = u.Redacted()
	}
	retry := "nil"
	if c.RetryCount != nil {
		retry = fmt.Sprint(*c.RetryCount)
	}
	return fmt.Sprintf("%s:%s:%s:%v:%v:%s", endpoint, c.Method, c.ContentType, c.Timeout, c.Keepalive, retry)
}

var _ plugin.LogHandler = (*handler)(nil)

// Log queues the serialized request for the log server.
func (h *handler) Log(entry *plugin.LogEntry, log *slog.Logger) {
	h.warnOnce.Do(func() {
		for _, w := range h.warnings {
			log.Warn(w)
		}
	})
	if err := queue.Enqueue(h.queueName, h.queue, h.sender.send, entry.JSON(), log); err != nil {
		log.Error("Failed to enqueue log entry to log server: " + err.Error())
	}
}
