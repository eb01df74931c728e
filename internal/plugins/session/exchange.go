package session

import (
	"github.com/silverback-gw/silverback/internal/ngx"
	"github.com/silverback-gw/silverback/internal/plugin"
	"github.com/silverback-gw/silverback/internal/proxy"
)

// sharedKey holds a request's exchange in kong.Shared().
const sharedKey = "session.exchange"

// exchange is what a request's session leaves for its response, which
// header_filter sends: the Set-Cookie lines and headers lua-resty-session
// sets on ngx.header during access, and the session that authenticated
// the request (Kong's kong.ctx.shared.authenticated_session).
type exchange struct {
	authenticated *session
	cookies       []setCookie
	headers       []proxy.Header
}

// setCookie is one Set-Cookie line and the cookie it sets.
type setCookie struct {
	name, line string
}

// exchangeOf returns the request's exchange, made on first use.
func exchangeOf(kong *plugin.PDK) *exchange {
	shared := kong.Shared()
	if x, ok := shared[sharedKey].(*exchange); ok {
		return x
	}
	x := &exchange{}
	shared[sharedKey] = x
	return x
}

// existingExchange returns the request's exchange, nil when none was made.
func existingExchange(kong *plugin.PDK) *exchange {
	x, _ := kong.Shared()[sharedKey].(*exchange)
	return x
}

// setCookies records Set-Cookie lines; a later line for a cookie replaces
// an earlier one.
func (x *exchange) setCookies(cs ...setCookie) {
	for _, c := range cs {
		x.cookies = mergeCookie(x.cookies, c, func(e setCookie) bool { return e.name == c.name })
	}
}

// setHeader records a response header (ngx.header[name] = value).
func (x *exchange) setHeader(name, value string) {
	x.headers = append(x.headers, proxy.Header{Name: name, Value: value})
}

// apply sends the recorded cookies and headers with the response: a
// Set-Cookie line already there for the same cookie, from the upstream
// for instance, is replaced (lua-resty-session's merge_cookies).
func (x *exchange) apply(h proxy.HeaderMap) {
	if len(x.cookies) > 0 {
		lines := append([]string(nil), h.Values("Set-Cookie")...)
		for _, c := range x.cookies {
			lines = mergeCookie(lines, c.line, func(line string) bool { return setsCookie(line, c.name) })
		}
		h.Del("Set-Cookie")
		for _, line := range lines {
			h.Add("Set-Cookie", line)
		}
	}
	for _, hd := range x.headers {
		h.Set(hd.Name, hd.Value)
	}
}

// mergeCookie replaces the first element same matches by v, or appends v.
func mergeCookie[T any](list []T, v T, same func(T) bool) []T {
	for i, e := range list {
		if same(e) {
			list[i] = v
			return list
		}
	}
	return append(list, v)
}

// setsCookie reports whether a Set-Cookie line sets the named cookie.
func setsCookie(line, name string) bool {
	return len(line) > len(name) && line[len(name)] == '=' && line[:len(name)] == name
}

// cookieValue returns the value of the named cookie in the request's
// Cookie headers, as nginx's $cookie_<name> (names compared without
// regard to case, the first one wins).
func cookieValue(kong *plugin.PDK, name string) (string, bool) {
	return ngx.Cookie(kong.Request.Headers().Values("Cookie"), name)
}
