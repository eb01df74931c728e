package ratelimit

import "github.com/silverback-gw/silverback/internal/plugin"

// Identifier returns who a request is counted as (Kong's get_identifier),
// by limitBy: "consumer" the consumer's id, else the credential's;
// "credential" the credential's id; "service" the service's id; "header"
// the first value of the header named header; "path" the request's
// normalized path when it is path. When that is unknown (nobody
// authenticated, no such header, another path), and for "ip", it is the
// client's address as kong.client.get_forwarded_ip gives it: an
// X-Forwarded-For counts only from trusted_ips.
func Identifier(kong *plugin.PDK, limitBy, header, path string) string {
	switch limitBy {
	case "consumer":
		if c := kong.Client.Consumer(); c != nil {
			return c.ID
		}
		if c := kong.Client.Credential(); c != nil {
			return c.ID
		}
	case "credential":
		if c := kong.Client.Credential(); c != nil {
			return c.ID
		}
	case "service":
		if s := kong.Service(); s != nil {
			return s.ID
		}
	case "header":
		if vs := kong.Request.Headers().Values(header); len(vs) > 0 {
			return vs[0]
		}
	case "path":
		if p := kong.Request.Path(); p == path {
			return p
		}
	}
	return kong.Client.ForwardedIP()
}

// ScopeOf returns the route and service the counters of the running
// instance are kept for: its own (Kong's conf.route_id and
// conf.service_id), so that a service's or a global instance counts
// across routes; EmptyUUID for none.
func ScopeOf(kong *plugin.PDK) Scope {
	s := Scope{RouteID: EmptyUUID, ServiceID: EmptyUUID}
	if inst := kong.Plugin(); inst != nil {
		if inst.RouteID != "" {
			s.RouteID = inst.RouteID
		}
		if inst.ServiceID != "" {
			s.ServiceID = inst.ServiceID
		}
	}
	return s
}
