package proxy

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// hashInput is a State seen by consistent hashing (balancer.Request).
type hashInput State

// ClientIP is $remote_addr: the client's address after real-IP processing.
func (h *hashInput) ClientIP() string { return h.client.ForwardedIP() }

// Consumer is the authenticated consumer's id; there is none before
// authentication plugins set one.
func (h *hashInput) Consumer() string { return "" }

// Header returns a request header's values joined as nginx joins them.
func (h *hashInput) Header(name string) string {
	return strings.Join(h.request.header.Values(name), ", ")
}

// Cookie returns a request cookie's value.
func (h *hashInput) Cookie(name string) string {
	for _, line := range h.request.header.Values("Cookie") {
		cs, err := http.ParseCookie(line)
		if err != nil {
			continue
		}
		for _, c := range cs {
			if c.Name == name {
				return c.Value
			}
		}
	}
	return ""
}

// Path is the normalized request path.
func (h *hashInput) Path() string { return h.request.Path() }

// QueryArg returns a query argument's values sorted and joined by ",", an
// argument without "=" reading "true", as Kong hashes them.
func (h *hashInput) QueryArg(name string) string {
	var vs []string
	for pair := range strings.SplitSeq(h.request.rawQuery, "&") {
		k, v, hasValue := strings.Cut(pair, "=")
		if k, err := url.QueryUnescape(k); err != nil || k != name {
			continue
		}
		if !hasValue {
			vs = append(vs, "true")
			continue
		}
		if u, err := url.QueryUnescape(v); err == nil {
			v = u
		}
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return strings.Join(vs, ",")
}

// URICapture returns a route capture by name, or by number.
func (h *hashInput) URICapture(name string) string {
	c := h.request.URICaptures()
	if v, ok := c.Named(name); ok {
		return v
	}
	if i, err := strconv.Atoi(name); err == nil {
		v, _ := c.Unnamed(i)
		return v
	}
	return ""
}
