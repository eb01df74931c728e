package requesttransformer

import (
	"strings"

	"github.com/silverback-gw/silverback/internal/ngx"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/plugins/requesttransformer/luatemplate"
)

// env is a request's template environment, Kong's sandbox: headers,
// query_params, uri_captures and shared are read when first used (so a
// template sees what earlier transformations had set by then), plus type
// and a require that refuses every module.
type env struct {
	kong     *plugin.PDK
	headers  *luatemplate.Table
	query    map[string]any
	queryLua *luatemplate.Table
	captures *luatemplate.Table
	shared   *luatemplate.Table
}

var _ luatemplate.Env = (*env)(nil)

// Global returns a global name's value.
func (e *env) Global(name string) luatemplate.Value {
	switch name {
	case "headers":
		if e.headers == nil {
			e.headers = e.headersTable()
		}
		return e.headers
	case "query_params":
		if e.queryLua == nil {
			e.queryLua = luatemplate.FromGo(e.queryArgs()).(*luatemplate.Table)
		}
		return e.queryLua
	case "uri_captures":
		if e.captures == nil {
			e.captures = e.capturesTable()
		}
		return e.captures
	case "shared":
		if e.shared == nil {
			e.shared = luatemplate.FromGo(e.kong.Shared()).(*luatemplate.Table)
		}
		return e.shared
	case "type":
		return luatemplate.Type
	case "require":
		return luatemplate.Require
	}
	return nil
}

// queryArgs returns the query arguments (kong.request.get_query) as they
// were when first read; the querystring transformations start from them.
func (e *env) queryArgs() map[string]any {
	if e.query == nil {
		e.query = ngx.DecodeArgs(e.kong.ServiceRequest.RawQuery())
	}
	return e.query
}

// headersTable is kong.request.get_headers(): lower-case names, a string
// or an array of strings each, looked up case-insensitively with "_" for
// "-"; Host is the request's.
func (e *env) headersTable() *luatemplate.Table {
	t := luatemplate.NewTableIndexed(func(t *luatemplate.Table, key string) luatemplate.Value {
		return t.RawGet(normalizeHeader(key))
	})
	for name, v := range requestHeaders(e.kong) {
		t.Set(name, luatemplate.FromGo(v))
	}
	host := e.kong.ServiceRequest.Header("Host")
	if host == "" {
		host = e.kong.Request.Header("Host")
	}
	if host != "" {
		t.Set("host", host)
	}
	return t
}

// capturesTable is the router's uri_captures: groups by position (0 the
// whole match) and by name.
func (e *env) capturesTable() *luatemplate.Table {
	t := luatemplate.NewTable()
	c := e.kong.Request.URICaptures()
	for i := range c.Len() {
		if v, ok := c.Unnamed(i); ok {
			t.Set(float64(i), v)
		}
	}
	for _, name := range c.Names() {
		if v, ok := c.Named(name); ok {
			t.Set(name, v)
		}
	}
	return t
}

// requestHeaders returns the headers of the request to the service, as
// ngx.req.get_headers() gives them: lower-case names, a string or, for a
// repeated header, an []any of strings.
func requestHeaders(kong *plugin.PDK) map[string]any {
	out := map[string]any{}
	kong.ServiceRequest.Headers().Each(func(name, value string) bool {
		name = strings.ToLower(name)
		switch cur := out[name].(type) {
		case nil:
			out[name] = value
		case string:
			out[name] = []any{cur, value}
		case []any:
			out[name] = append(cur, value)
		}
		return true
	})
	return out
}

// normalizeHeader is the key ngx.req.get_headers()'s table looks a
// missing name up with.
func normalizeHeader(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), "_", "-")
}
