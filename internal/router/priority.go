package router

import "strings"

// Bit layout of a sub-route's priority (kong/router/transform.lua
// get_priority), compared as an unsigned 64-bit number, highest first:
//
//	63..61  match weight: how many of methods, hosts, headers, paths, snis are set
//	60      plain host only: hosts set and none holds a wildcard
//	59..52  number of headers (capped at 255)
//	51      regex path
//	50..19  regex_priority (regex paths only)
//	18..0   length of the prefix paths
const (
	weightShift      = 61
	plainHostOnlyBit = uint64(1) << 60
	headerShift      = 52
	maxHeaderCount   = 255
	regexBit         = uint64(1) << 51
	regexPrioShift   = 19
	pathLengthMask   = 1<<19 - 1
)

// priority computes the priority of a route restricted to one path group.
func priority(rt *Route, g pathGroup) uint64 {
	var weight uint64
	if len(rt.Methods) > 0 {
		weight++
	}
	if len(rt.Hosts) > 0 {
		weight++
	}
	headers := uint64(len(rt.Headers))
	if headers > 0 {
		weight++
		headers = min(headers, maxHeaderCount)
	}
	if len(rt.SNIs) > 0 {
		weight++
	}
	if len(g.paths) > 0 {
		weight++
	}

	p := weight<<weightShift | headers<<headerShift
	if plainHostOnly(rt.Hosts) {
		p |= plainHostOnlyBit
	}
	switch {
	case g.regex:
		// The int is shifted as a 64-bit two's complement number, as Kong's
		// uint64 arithmetic does: a negative regex_priority sets every bit
		// from 19 up and so outranks every other route.
		p |= regexBit | uint64(int64(rt.RegexPriority))<<regexPrioShift
	case len(g.paths) > 0:
		p |= uint64(len(g.paths[0])) & pathLengthMask
	}
	return p
}

// plainHostOnly is Kong's test `type(hosts) == "table"` followed by a scan
// for "*": it holds for an empty, non-nil hosts list too.
func plainHostOnly(hosts []string) bool {
	if hosts == nil {
		return false
	}
	for _, h := range hosts {
		if strings.Contains(h, "*") {
			return false
		}
	}
	return true
}
