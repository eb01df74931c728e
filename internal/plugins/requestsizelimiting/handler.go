// Package requestsizelimiting implements Kong's request-size-limiting
// plugin: requests whose declared body is larger than the limit are
// refused before the upstream is contacted.
package requestsizelimiting

import (
	"strings"

	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
)

// Name and Priority are Kong's; like Kong's bundled plugins, the
// version is the Kong version implemented.
const (
	Name     = "request-size-limiting"
	Priority = 951
	Version  = meta.KongVersion
)

func init() {
	plugin.Register(plugin.Definition{
		Name: Name, Priority: Priority, Version: Version,
		Schema: configSchema,
		New:    plugin.Constructor(newHandler),
	})
}

// Kong's messages, byte for byte.
const (
	msgTooLarge       = "Request size limit exceeded"
	msgLengthRequired = "A valid Content-Length header is required"
)

type handler struct {
	limit         int64
	requireLength bool
}

func newHandler(c Config) (plugin.Handler, error) {
	return &handler{limit: c.AllowedPayloadSize * unitBytes[c.SizeUnit], requireLength: c.RequireContentLength}, nil
}

var _ plugin.AccessHandler = (*handler)(nil)

// Access refuses a declared length beyond the limit: 413, or 417 when the
// client waits for "100 Continue"; with require_content_length, a request
// without Content-Length and not chunked gets 411.
func (h *handler) Access(kong *plugin.PDK) error {
	rq := kong.Request
	n, known := rq.ContentLength()
	declared := rq.Header("Content-Length") != ""
	switch {
	case h.requireLength && !declared && known: // known without the header: no body at all
		return kong.Response.Error(411, msgLengthRequired)
	case known && n > h.limit:
		if strings.EqualFold(strings.TrimSpace(rq.Header("Expect")), "100-continue") {
			return kong.Response.Error(417, msgTooLarge)
		}
		return kong.Response.Error(413, msgTooLarge)
	}
	return nil
}
