// Package requesttermination implements Kong's request-termination plugin:
// it answers every request it applies to with a fixed status and message
// or body, or echoes the request back, without contacting the upstream.
package requesttermination

import (
	"net/url"
	"os"
	"strings"

	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/proxy"
)

// Name and Priority are Kong's; like Kong's bundled plugins, the
// version is the Kong version implemented.
const (
	Name     = "request-termination"
	Priority = 2
	Version  = meta.KongVersion
)

func init() {
	plugin.Register(plugin.Definition{
		Name: Name, Priority: Priority, Version: Version,
		Schema: configSchema,
		New:    plugin.Constructor(newHandler),
	})
}

// defaultMessages are Kong's messages when config.message is not set;
// other statuses get no message.
var defaultMessages = map[int]string{
	401: "Unauthorized",
	404: "Not found",
	405: "Method not allowed",
	500: "An unexpected error occurred",
	502: "Bad Gateway",
	503: "Service unavailable",
}

type handler struct{ c Config }

func newHandler(c Config) (plugin.Handler, error) { return &handler{c}, nil }

var _ plugin.AccessHandler = (*handler)(nil)

// Access terminates the request, unless a trigger is configured and the
// request has neither a header nor a query argument of that name.
func (h *handler) Access(kong *plugin.PDK) error {
	c := &h.c
	var query url.Values
	if c.Trigger != nil || c.Echo {
		query, _ = url.ParseQuery(kong.Request.RawQuery())
	}
	if c.Trigger != nil && kong.Request.Header(*c.Trigger) == "" && !query.Has(*c.Trigger) {
		return nil
	}
	if c.Echo {
		return kong.Response.ExitJSON(c.StatusCode, h.echo(kong, query))
	}
	if c.Body != nil {
		var headers []proxy.Header
		if c.ContentType != nil {
			headers = append(headers, proxy.Header{Name: "Content-Type", Value: *c.ContentType})
		}
		return kong.Response.Exit(c.StatusCode, []byte(*c.Body), headers...)
	}
	msg, ok := defaultMessages[c.StatusCode]
	if c.Message != nil {
		msg, ok = *c.Message, true
	}
	if !ok { // Kong encodes the empty table {message = nil}
		return kong.Response.ExitJSON(c.StatusCode, struct{}{})
	}
	return kong.Response.ExitJSON(c.StatusCode, plugin.Message{Message: msg})
}

// echoBody is what echo answers (Kong's, without the request body, which
// the PDK does not read).
type echoBody struct {
	Message        string         `json:"message,omitempty"`
	Kong           echoNode       `json:"kong"`
	Request        echoRequest    `json:"request"`
	MatchedRoute   map[string]any `json:"matched_route"`
	MatchedService map[string]any `json:"matched_service"`
}

type echoNode struct {
	WorkerPID int    `json:"worker_pid"`
	Hostname  string `json:"hostname"`
}

type echoRequest struct {
	Scheme  string         `json:"scheme"`
	Host    string         `json:"host"`
	Port    int            `json:"port"`
	Method  string         `json:"method"`
	Path    string         `json:"path"`
	Headers map[string]any `json:"headers"`
	Query   map[string]any `json:"query"`
}

func (h *handler) echo(kong *plugin.PDK, query url.Values) echoBody {
	msg := defaultMessages[h.c.StatusCode]
	if h.c.Message != nil {
		msg = *h.c.Message
	}
	hostname, _ := os.Hostname()
	rq := kong.Request
	b := echoBody{
		Message: msg,
		Kong:    echoNode{WorkerPID: os.Getpid(), Hostname: hostname},
		Request: echoRequest{Scheme: rq.Scheme(), Host: rq.Host(), Port: rq.Port(), Method: rq.Method(),
			Path: rq.Path(), Headers: map[string]any{}, Query: map[string]any{}},
	}
	if host := rq.Header("Host"); host != "" {
		b.Request.Headers["host"] = host
	}
	rq.Headers().Each(func(name, value string) bool {
		addValue(b.Request.Headers, strings.ToLower(name), value)
		return true
	})
	for k, vs := range query {
		for _, v := range vs {
			addValue(b.Request.Query, k, v)
		}
	}
	if rt := kong.Route(); rt != nil {
		b.MatchedRoute = map[string]any{"id": rt.ID, "name": nullable(rt.Name)}
	}
	if svc := kong.Service(); svc != nil {
		b.MatchedService = map[string]any{"id": svc.ID, "name": nullable(svc.Name)}
	}
	return b
}

// addValue adds v to m[k] as Kong's PDK tables do: one value as itself,
// several as an array.
func addValue(m map[string]any, k string, v any) {
	switch old := m[k].(type) {
	case nil:
		m[k] = v
	case []any:
		m[k] = append(old, v)
	default:
		m[k] = []any{old, v}
	}
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
