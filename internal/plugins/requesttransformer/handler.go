package requesttransformer

import (
	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
)

// Name and Priority are Kong's.
const (
	Name     = "request-transformer"
	Priority = 801
	Version  = meta.KongVersion
)

func init() {
	plugin.Register(plugin.Definition{
		Name: Name, Priority: Priority, Version: Version,
		Schema: configSchema,
		New:    plugin.Constructor(newHandler),
	})
}

// handler holds an instance's entries compiled, grouped by what they
// change.
type handler struct {
	method               string
	uri                  *entry
	headers, body, query argOps
}

func newHandler(c Config) (plugin.Handler, error) {
	group := func(pick func(Lists) []string) argOps {
		return argOps{
			remove: compileEntries(pick(c.Remove)), rename: compileEntries(pick(c.Rename)),
			replace: compileEntries(pick(c.Replace)), add: compileEntries(pick(c.Add)),
			append: compileEntries(pick(c.Append)),
		}
	}
	h := &handler{
		headers: group(func(l Lists) []string { return l.Headers }),
		body:    group(func(l Lists) []string { return l.Body }),
		query:   group(func(l Lists) []string { return l.Querystring }),
	}
	if c.HTTPMethod != nil {
		h.method = *c.HTTPMethod
	}
	if c.Replace.URI != nil {
		uri := newEntry("", *c.Replace.URI)
		h.uri = &uri
	}
	return h, nil
}

var _ plugin.AccessHandler = (*handler)(nil)

// Access transforms the request in Kong's order: the path, the method,
// the headers, the body, the query string.
func (h *handler) Access(kong *plugin.PDK) error {
	env := &env{kong: kong}
	if err := h.transformURI(kong, env); err != nil {
		return err
	}
	if err := h.transformMethod(kong); err != nil {
		return err
	}
	if err := h.transformHeaders(kong, env); err != nil {
		return err
	}
	if err := h.transformBody(kong, env); err != nil {
		return err
	}
	return h.transformQuery(kong, env)
}
