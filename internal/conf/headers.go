package conf

import "strings"

// Headers is the set of Kong headers enabled by the headers (responses to
// clients) or headers_upstream (requests to upstreams) property.
type Headers struct {
	Server          bool // Server
	Via             bool // Via
	ProxyLatency    bool // X-Kong-Proxy-Latency
	ResponseLatency bool // X-Kong-Response-Latency
	AdminLatency    bool // X-Kong-Admin-Latency
	UpstreamLatency bool // X-Kong-Upstream-Latency
	UpstreamStatus  bool // X-Kong-Upstream-Status
	RequestID       bool // X-Kong-Request-Id
}

// headerTokens are the accepted entries of headers, lower-cased, with what
// each enables (Kong's HEADER_KEY_TO_NAME; server_tokens and latency_tokens
// expand as kong/conf_loader/init.lua does).
var headerTokens = map[string]func(*Headers){
	"server_tokens": func(h *Headers) { h.Server, h.Via = true, true },
	"latency_tokens": func(h *Headers) {
		h.ProxyLatency, h.ResponseLatency, h.AdminLatency, h.UpstreamLatency = true, true, true, true
	},
	"server":                  func(h *Headers) { h.Server = true },
	"via":                     func(h *Headers) { h.Via = true },
	"x-kong-proxy-latency":    func(h *Headers) { h.ProxyLatency = true },
	"x-kong-response-latency": func(h *Headers) { h.ResponseLatency = true },
	"x-kong-admin-latency":    func(h *Headers) { h.AdminLatency = true },
	"x-kong-upstream-latency": func(h *Headers) { h.UpstreamLatency = true },
	"x-kong-upstream-status":  func(h *Headers) { h.UpstreamStatus = true },
	"x-kong-request-id":       func(h *Headers) { h.RequestID = true },
}

// upstreamHeaderTokens are the accepted entries of headers_upstream.
var upstreamHeaderTokens = map[string]func(*Headers){
	"x-kong-request-id": func(h *Headers) { h.RequestID = true },
}

// parseHeaders reads the tokens of a headers property. Tokens are matched
// case-insensitively; "off" (exactly) is accepted anywhere but only disables
// everything when it comes first, like Kong.
func parseHeaders(name string, tokens []string, accepted map[string]func(*Headers)) (Headers, Errors) {
	var h Headers
	var errs Errors
	for _, t := range tokens {
		if t != "off" && accepted[strings.ToLower(t)] == nil {
			errs.add(name, "%s: invalid entry '%s'", name, t)
		}
	}
	if len(errs) > 0 || len(tokens) == 0 || tokens[0] == "off" {
		return Headers{}, errs
	}
	for _, t := range tokens {
		if t != "off" {
			accepted[strings.ToLower(t)](&h)
		}
	}
	return h, nil
}
