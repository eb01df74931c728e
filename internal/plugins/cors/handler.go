// Package cors implements Kong's cors plugin: it answers CORS preflight
// requests itself (unless told to pass them on) and adds the CORS
// headers to the other responses.
package cors

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/silverback-gw/silverback/internal/meta"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/proxy"
)

// Name and Priority are Kong's; like Kong's bundled plugins, the
// version is the Kong version implemented.
const (
	Name     = "cors"
	Priority = 2000
	Version  = meta.KongVersion
)

func init() {
	plugin.Register(plugin.Definition{
		Name: Name, Priority: Priority, Version: Version,
		Schema: configSchema,
		New:    plugin.Constructor(newHandler),
	})
}

// origin is one configured origin: a plain one compared with the
// normalized request origin, or a regular expression.
type origin struct {
	domain string
	re     *regexp.Regexp
	byHost bool // the expression has no ":": it is matched against the host
}

type handler struct {
	c        Config
	allowAll bool   // no origins, or only "*"
	single   string // the only origin, when it is plain: sent as is
	origins  []origin
	methods  string
	headers  string
	exposed  string
	maxAge   string
}

// plainOrigin matches origins that are not regular expressions.
var plainOrigin = regexp.MustCompile(`^[A-Za-z0-9.:/-]+$`)

func newHandler(c Config) (plugin.Handler, error) {
	h := &handler{c: c, methods: strings.Join(c.Methods, ","), headers: strings.Join(c.Headers, ","),
		exposed: strings.Join(c.ExposedHeaders, ",")}
	if c.MaxAge != nil {
		h.maxAge = strconv.FormatFloat(*c.MaxAge, 'f', -1, 64)
	}
	switch {
	case len(c.Origins) == 0 || len(c.Origins) == 1 && c.Origins[0] == "*":
		h.allowAll = true
	case len(c.Origins) == 1 && plainOrigin.MatchString(c.Origins[0]):
		h.single = c.Origins[0]
	}
	for _, o := range c.Origins {
		if plainOrigin.MatchString(o) {
			d, _ := normalize(o)
			h.origins = append(h.origins, origin{domain: d})
			continue
		}
		// Kong's PCRE match is anchored at the start, and "$" is appended.
		re, err := regexp.Compile(`^(?:` + o + `$)`)
		if err != nil {
			return nil, err
		}
		h.origins = append(h.origins, origin{re: re, byHost: !strings.Contains(o, ":")})
	}
	return h, nil
}

var (
	_ plugin.AccessHandler       = (*handler)(nil)
	_ plugin.HeaderFilterHandler = (*handler)(nil)
)

// headerSetter is where CORS headers go: the preflight answer's list in
// access, the response's headers in header_filter.
type headerSetter interface {
	Set(name, value string)
	Del(name string)
	vary()
}

// preflight reports whether the request is a CORS preflight the plugin
// answers.
func (h *handler) preflight(rq *proxy.Request) bool {
	return !h.c.PreflightContinue && rq.Method() == "OPTIONS" &&
		rq.Header("Origin") != "" && rq.Header("Access-Control-Request-Method") != ""
}

// Access answers a preflight: 200, no body, the CORS headers.
func (h *handler) Access(kong *plugin.PDK) error {
	rq := kong.Request
	if !h.preflight(rq) {
		return nil
	}
	hs := &exitHeaders{}
	h.setOrigin(rq, hs)
	switch {
	case h.headers != "":
		hs.Set("Access-Control-Allow-Headers", h.headers)
	case rq.Header("Access-Control-Request-Headers") != "":
		hs.Set("Access-Control-Allow-Headers", rq.Header("Access-Control-Request-Headers"))
	}
	hs.Set("Access-Control-Allow-Methods", h.methods)
	if h.maxAge != "" {
		hs.Set("Access-Control-Max-Age", h.maxAge)
	}
	if h.c.PrivateNetwork && rq.Header("Access-Control-Request-Private-Network") == "true" {
		hs.Set("Access-Control-Allow-Private-Network", "true")
	}
	return kong.Response.Exit(200, nil, hs.list...)
}

// HeaderFilter adds the CORS headers to responses other than the
// preflights the plugin answered.
func (h *handler) HeaderFilter(kong *plugin.PDK) error {
	if h.preflight(kong.Request) {
		return nil
	}
	hs := responseHeaders{kong.Response.Header()}
	h.setOrigin(kong.Request, hs)
	if h.exposed != "" {
		hs.Set("Access-Control-Expose-Headers", h.exposed)
	}
	return nil
}

// setOrigin sets Access-Control-Allow-Origin and
// Access-Control-Allow-Credentials (Kong's configure_origin and
// configure_credentials).
func (h *handler) setOrigin(rq *proxy.Request, hs headerSetter) {
	reqOrigin := rq.Header("Origin")
	if h.allowAll {
		if h.c.Credentials && reqOrigin != "" {
			hs.Set("Access-Control-Allow-Origin", reqOrigin)
			hs.Set("Access-Control-Allow-Credentials", "true")
			hs.vary()
			return
		}
		hs.Set("Access-Control-Allow-Origin", "*")
		return
	}
	if h.c.Credentials {
		hs.Set("Access-Control-Allow-Credentials", "true")
	}
	hs.vary()
	if h.single != "" {
		hs.Set("Access-Control-Allow-Origin", h.single)
		return
	}
	if reqOrigin != "" {
		domain, host := normalize(reqOrigin)
		for _, o := range h.origins {
			var ok bool
			switch {
			case o.re == nil:
				ok = o.domain == domain
			case o.byHost:
				ok = o.re.MatchString(host)
			default:
				ok = o.re.MatchString(domain)
			}
			if ok {
				hs.Set("Access-Control-Allow-Origin", domain)
				return
			}
		}
	}
	hs.Del("Access-Control-Allow-Origin")
}

// normalize returns an origin as scheme://host[:port] without the
// scheme's default port, and its host; a value without host is returned
// as both.
func normalize(o string) (domain, host string) {
	u, err := url.Parse(o)
	if err != nil || u.Host == "" {
		return o, o
	}
	host, port := u.Hostname(), u.Port()
	if u.Scheme == "http" && port == "80" || u.Scheme == "https" && port == "443" {
		port = ""
	}
	domain = host
	if strings.Contains(host, ":") {
		domain = "[" + host + "]"
	}
	if u.Scheme != "" {
		domain = u.Scheme + "://" + domain
	}
	if port != "" {
		domain += ":" + port
	}
	return domain, host
}

// exitHeaders collects the preflight answer's headers.
type exitHeaders struct{ list []proxy.Header }

func (e *exitHeaders) Set(name, value string) {
	e.Del(name)
	e.list = append(e.list, proxy.Header{Name: name, Value: value})
}

func (e *exitHeaders) Del(name string) {
	e.list = withoutHeader(e.list, name)
}

func (e *exitHeaders) vary() { e.Set("Vary", "Origin") }

func withoutHeader(list []proxy.Header, name string) []proxy.Header {
	out := list[:0]
	for _, h := range list {
		if !strings.EqualFold(h.Name, name) {
			out = append(out, h)
		}
	}
	return out
}

// responseHeaders sets headers on the response in header_filter.
type responseHeaders struct{ proxy.HeaderMap }

// vary adds Origin to Vary, unless Vary is "*" or has it already.
func (r responseHeaders) vary() {
	for _, v := range r.Values("Vary") {
		for _, tok := range strings.Split(v, ",") {
			tok = strings.TrimSpace(tok)
			if tok == "*" || strings.EqualFold(tok, "Origin") {
				return
			}
		}
	}
	r.Add("Vary", "Origin")
}
