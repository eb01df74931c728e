package router

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode/utf8"
)

// Endpoint is an element of a stream route's sources or destinations: an
// IP address or CIDR range, a port, or both (both must then match).
type Endpoint struct {
	// IP is an address ("10.0.0.1", "::1") or a CIDR range ("10.0.0.0/8");
	// "" matches any address.
	IP string
	// Port is 0 for any port (Kong accepts a port 0, which no connection
	// has; here it means no port).
	Port int
}

// StreamRequest is what the stream proxy knows about a connection (or a
// UDP session) when routing it.
type StreamRequest struct {
	// TLS reports that a TLS handshake was read: the ClientHello on a
	// listener with the ssl flag, or the handshake the gateway terminated
	// (Kong's net.protocol "tls"). Only then do a route's SNIs constrain
	// the match: on plain TCP and UDP they are not checked, as in Kong.
	TLS bool
	// SNI is the server name the handshake carried, "" for none.
	SNI string
	// Source is the client's address and port (an IPv4-mapped address is
	// read as IPv4).
	Source netip.AddrPort
	// Destination is the local address and the listening port (after
	// port_maps) the client connected to.
	Destination netip.AddrPort
}

// StreamRouter is Kong's traditional_compatible router for the stream
// subsystem: the routes whose protocols are tcp, tls, udp or
// tls_passthrough, matched on SNIs, sources and destinations. Match is
// safe for concurrent use; a StreamRouter is replaced, never updated.
type StreamRouter struct {
	routes   []streamRoute // highest (priority, id) first
	readsSNI bool
}

// streamRoute is one compiled stream route. All fields it sets must match
// (AND); the values within a field are alternatives (OR).
type streamRoute struct {
	route        *Route
	id           uuid
	priority     uint64
	snis         []nameMatcher
	sources      []endpointMatcher
	destinations []endpointMatcher
}

// endpointMatcher matches an address and port against an Endpoint.
type endpointMatcher struct {
	prefix netip.Prefix // not valid: any address; an exact address is a full-length prefix
	port   uint16       // 0: any port
}

// NewStream compiles the stream routes among routes into a StreamRouter;
// the others (HTTP routes) are not part of it. Like New, it leaves out and
// reports each route that fails to compile (bad or duplicate id, invalid
// address, SNI that is not valid UTF-8), each error naming its route id;
// the returned StreamRouter serves the other routes even when err is not
// nil.
func NewStream(routes []Route) (*StreamRouter, error) {
	r := &StreamRouter{}
	var errs []error
	ids := map[uuid]bool{}
	for i := range routes {
		rt := &routes[i]
		if servesHTTP(rt) {
			continue
		}
		id, err := parseUUID(rt.ID)
		var sr streamRoute
		switch {
		case err != nil:
		case ids[id]:
			err = errDuplicateID
		default:
			sr, err = compileStreamRoute(rt, id)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("route %s: %w", rt.ID, err))
			continue
		}
		ids[id] = true
		r.routes = append(r.routes, sr)
		r.readsSNI = r.readsSNI || len(sr.snis) > 0
	}
	slices.SortFunc(r.routes, func(a, b streamRoute) int {
		if c := cmp.Compare(b.priority, a.priority); c != 0 {
			return c
		}
		return b.id.compare(a.id)
	})
	return r, errors.Join(errs...)
}

// Len returns the number of stream routes served.
func (r *StreamRouter) Len() int { return len(r.routes) }

// Match returns the highest-priority stream route matching req. Like Kong,
// it matches nothing when req carries an SNI that is not valid UTF-8 and
// some route reads SNIs. It does not allocate.
func (r *StreamRouter) Match(req *StreamRequest) (*Route, bool) {
	if req.TLS && r.readsSNI && !utf8.ValidString(req.SNI) {
		return nil, false
	}
	src := netip.AddrPortFrom(req.Source.Addr().Unmap(), req.Source.Port())
	dst := netip.AddrPortFrom(req.Destination.Addr().Unmap(), req.Destination.Port())
	for i := range r.routes {
		sr := &r.routes[i]
		// Kong: (net.protocol != "tls" || tls.sni ...): SNIs only bind TLS.
		if len(sr.snis) > 0 && req.TLS && !matchSNI(sr.snis, req.SNI) {
			continue
		}
		if len(sr.sources) > 0 && !matchEndpoints(sr.sources, src) {
			continue
		}
		if len(sr.destinations) > 0 && !matchEndpoints(sr.destinations, dst) {
			continue
		}
		return sr.route, true
	}
	return nil, false
}

func matchEndpoints(ms []endpointMatcher, ap netip.AddrPort) bool {
	for i := range ms {
		m := &ms[i]
		if (!m.prefix.IsValid() || m.prefix.Contains(ap.Addr())) && (m.port == 0 || m.port == ap.Port()) {
			return true
		}
	}
	return false
}

// compileStreamRoute builds the matcher of one stream route.
func compileStreamRoute(rt *Route, id uuid) (streamRoute, error) {
	sr := streamRoute{route: rt, id: id, priority: streamPriority(rt)}
	for _, s := range rt.SNIs {
		if !utf8.ValidString(s) {
			return sr, fmt.Errorf("invalid utf-8 in snis: %q", s)
		}
		sr.snis = append(sr.snis, compileSNI(s))
	}
	var err error
	if sr.sources, err = compileEndpoints("sources", rt.Sources); err != nil {
		return sr, err
	}
	if sr.destinations, err = compileEndpoints("destinations", rt.Destinations); err != nil {
		return sr, err
	}
	return sr, nil
}

// compileEndpoints turns sources or destinations into matchers. An IPv4
// range is reduced to its network address, as Kong writes it into the
// route's expression (an IPv6 range too here).
func compileEndpoints(field string, eps []Endpoint) ([]endpointMatcher, error) {
	var out []endpointMatcher
	for _, ep := range eps {
		if ep.Port < 0 || ep.Port > 65535 {
			return nil, fmt.Errorf("invalid port in %s: %d", field, ep.Port)
		}
		m := endpointMatcher{port: uint16(ep.Port)}
		switch {
		case ep.IP == "":
		case strings.Contains(ep.IP, "/"):
			p, err := netip.ParsePrefix(ep.IP)
			if err != nil {
				return nil, fmt.Errorf("invalid cidr in %s: %q", field, ep.IP)
			}
			m.prefix = p.Masked()
		default:
			a, err := netip.ParseAddr(ep.IP)
			if err != nil {
				return nil, fmt.Errorf("invalid ip in %s: %q", field, ep.IP)
			}
			m.prefix = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, m)
	}
	return out, nil
}

// Bits of a stream route's priority (kong/router/transform.lua
// stream_get_priority): the SNI bit, then the weights of the sources
// (shifted by 4) and of the destinations, each the OR of an exact IP (8),
// a port (4) and a CIDR range (1) among its entries.
const (
	streamSNIBit  = uint64(1) << 61 // set by snis, or by sources and destinations together
	streamIPBit   = 8
	streamPortBit = 4
	streamCIDRBit = 1
	sourcesShift  = 4
)

// streamPriority computes a stream route's priority.
func streamPriority(rt *Route) uint64 {
	var p uint64
	if len(rt.SNIs) > 0 || len(rt.Sources) > 0 && len(rt.Destinations) > 0 {
		p = streamSNIBit
	}
	return p | endpointWeight(rt.Sources)<<sourcesShift | endpointWeight(rt.Destinations)
}

func endpointWeight(eps []Endpoint) uint64 {
	var w uint64
	for _, ep := range eps {
		switch {
		case ep.IP == "":
		case strings.Contains(ep.IP, "/"):
			w |= streamCIDRBit
		default:
			w |= streamIPBit
		}
		if ep.Port != 0 {
			w |= streamPortBit
		}
	}
	return w
}
