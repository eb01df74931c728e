package jwt

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/silverback-gw/silverback/internal/ngx"
	"github.com/silverback-gw/silverback/internal/plugin"
)

// maxQueryArgs is how many query arguments Kong's kong.request.get_query
// reads; later ones are ignored.
const maxQueryArgs = 100

// bearer finds a token in a header value, as Kong's unanchored
// `\s*[Bb]earer\s+(.+)`.
var bearer = regexp.MustCompile(`\s*[Bb]earer\s+(.+)`)

// tokens is the set of distinct tokens a request carries.
type tokens struct {
	values []string
	// bare: a query argument without "=" (Lua's true), which Kong counts
	// as a token it cannot recognize.
	bare bool
}

func (ts *tokens) add(t string) {
	for _, v := range ts.values {
		if v == t {
			return
		}
	}
	ts.values = append(ts.values, t)
}

// count returns the number of distinct tokens.
func (ts *tokens) count() int {
	n := len(ts.values)
	if ts.bare {
		n++
	}
	return n
}

// retrieve collects the request's tokens in Kong's order: the query
// arguments named uri_param_names, the cookies named cookie_names, the
// headers named header_names with a "Bearer <token>" value. Empty values
// do not count.
func (h *handler) retrieve(kong *plugin.PDK) tokens {
	var ts tokens
	if len(h.c.URIParamNames) > 0 {
		if q := kong.Request.RawQuery(); q != "" {
			h.fromQuery(q, &ts)
		}
	}
	if len(h.c.CookieNames) > 0 {
		cookies := kong.Request.Headers().Values("Cookie")
		for _, name := range h.c.CookieNames {
			if v, _ := ngx.Cookie(cookies, name); v != "" {
				ts.add(v)
			}
		}
	}
	for _, name := range h.headerNames {
		if v := kong.Request.Headers().Get(name); v != "" {
			if m := bearer.FindStringSubmatch(v); m != nil {
				ts.add(m[1])
			}
		}
	}
	return ts
}

// fromQuery adds the values of the query arguments named uri_param_names,
// parsed as ngx.req.get_uri_args: "&"-separated, "+" for a space, an
// argument without "=" being true.
func (h *handler) fromQuery(q string, ts *tokens) {
	for n := 0; q != "" && n < maxQueryArgs; {
		var arg string
		arg, q, _ = strings.Cut(q, "&")
		if arg == "" {
			continue
		}
		n++
		k, v, hasValue := strings.Cut(arg, "=")
		if !h.uriParams[unescape(k)] {
			continue
		}
		switch {
		case !hasValue:
			ts.bare = true
		case v != "":
			ts.add(unescape(v))
		}
	}
}

// unescape decodes a query component, leaving it as is when it holds an
// invalid escape.
func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}
