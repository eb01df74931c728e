package ratelimit

import "strconv"

// EmptyUUID stands for the route or service a plugin instance is not
// scoped to, in counter keys and in the metrics tables.
const EmptyUUID = "00000000-0000-0000-0000-000000000000"

// Scope is the route and service counters are kept for: the plugin
// instance's (Kong's conf.route_id and conf.service_id), EmptyUUID for
// none.
type Scope struct {
	RouteID, ServiceID string
}

// Counter identifies one counter: the requests (or, for
// response-ratelimiting, the units of one named limit) an identifier
// spent in one window of a scope.
type Counter struct {
	Scope
	// Identifier is who is counted (Identifier's result).
	Identifier string
	// Name is response-ratelimiting's limit name, "" for rate-limiting.
	Name   string
	Period Period
	// Start is the window's first Unix second.
	Start int64
}

// Key returns Kong's key of the counter, as the local and redis policies
// store it: ratelimit:<route>:<service>:<identifier>:<start ms>:<period>,
// or response-ratelimit:<route>:<service>:<identifier>:<start
// ms>:<name>:<period>.
func (c *Counter) Key() string {
	b := make([]byte, 0, 128)
	if c.Name == "" {
		b = append(b, "ratelimit:"...)
	} else {
		b = append(b, "response-ratelimit:"...)
	}
	b = append(b, c.RouteID...)
	b = append(b, ':')
	b = append(b, c.ServiceID...)
	b = append(b, ':')
	b = append(b, c.Identifier...)
	b = append(b, ':')
	b = strconv.AppendInt(b, c.Start*1000, 10)
	b = append(b, ':')
	if c.Name != "" {
		b = append(b, c.Name...)
		b = append(b, ':')
	}
	b = append(b, c.Period.String()...)
	return string(b)
}
