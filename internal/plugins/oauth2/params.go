package oauth2

import (
	"crypto/subtle"
	"strings"

	"github.com/silverback-gw/silverback/internal/ngx"
	"github.com/silverback-gw/silverback/internal/plugin"
)

// params are the OAuth 2.0 parameters of a request: the query arguments,
// and for POST, PUT and PATCH the body's (form, multipart or JSON), which
// win (Kong's retrieve_parameters). Values are strings, true (a bare
// query argument), []any (repeated) or what JSON decodes.
type params map[string]any

func requestParams(kong *plugin.PDK) params {
	p := params(ngx.DecodeArgs(kong.Request.RawQuery()))
	switch kong.Request.Method() {
	case "POST", "PUT", "PATCH":
		body, err := kong.BodyArgs()
		if err != nil {
			kong.Log.Info("Cannot process request body: " + err.Error())
		}
		for k, v := range body {
			if vs, ok := v.([]string); ok { // a repeated form field
				list := make([]any, len(vs))
				for i, s := range vs {
					list[i] = s
				}
				v = list
			}
			p[k] = v
		}
	}
	return p
}

// str returns a string parameter; false when absent or of another type.
func (p params) str(name string) (string, bool) {
	s, ok := p[name].(string)
	return s, ok
}

// present reports whether a parameter was given, whatever its type.
func (p params) present(name string) bool { return p[name] != nil }

// is reports whether the parameter is the string want.
func (p params) is(name, want string) bool {
	s, ok := p.str(name)
	return ok && s == want
}

// provisionKeyIs reports whether the provision_key parameter is key,
// comparing in constant time.
func (p params) provisionKeyIs(key string) bool {
	s, ok := p.str("provision_key")
	return ok && subtle.ConstantTimeCompare([]byte(s), []byte(key)) == 1
}

// strip is Kong's kong.tools.string.strip of a parameter: Lua's tostring
// of it without surrounding ASCII white space ("" when absent).
func strip(v any) string { return strings.Trim(luaString(v), " \t\n\v\f\r") }
