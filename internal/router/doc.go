// Package router is Kong's traditional_compatible router: it compiles
// the routes of a configuration into an immutable Router, and Match picks
// the route a request goes to. The proxy then builds the upstream path with
// Match.UpstreamPath.
//
// # What is matched
//
// A route matches when every field it sets matches the request (methods,
// hosts, paths, headers, snis); within a field one value is enough. The
// request path is normalized first (NormalizePath). Hosts are compared
// case-sensitively, optionally with a port; "*.a.com" matches any name
// ending in ".a.com", "a.*" any name starting with "a.". Prefix paths are
// plain string prefixes ("/foo" matches "/foobar"); regex paths are
// anchored at the start. Header names are case-insensitive and values are
// compared lower-cased. SNIs only constrain HTTPS requests. Protocols are
// not matched: an http-only route also serves HTTPS, as in Kong.
//
// # Priority
//
// Kong turns each route into an atc-router matcher with a 64-bit priority
// (kong/router/transform.lua); matchers are tried from the highest
// (priority, route id) down and the first that matches wins. The priority
// is, from the most significant bits:
//
//  1. the number of fields the route sets (methods, hosts, headers, paths,
//     snis): more fields always win;
//  2. whether all its hosts are plain (no wildcard): plain beats wildcard;
//  3. the number of headers: more headers beat a longer path;
//  4. whether its paths are regexes: regex beats prefix;
//  5. regex_priority, for regex paths only (a negative value, shifted as
//     Kong shifts it, outranks everything);
//  6. the length of its prefix paths: longer wins;
//
// and between equal priorities the higher route id (UUID) wins; created_at
// plays no part. A route whose paths are of different kinds or lengths is
// split into sub-routes, one per group (all regex paths; prefix paths of one
// length), each with its own priority and the id uuidv5("<id>#<n>"), as Kong
// does; Match still returns the original route.
//
// # Matching fast
//
// Match gives the same answer as trying every sub-route in priority order,
// without doing so: sub-routes are filed by host (exact hosts in a map,
// wildcard hosts by their suffix or prefix, host-less routes apart) and,
// within a host, in a radix trie of the path prefixes a request must start
// with (a regex path under its literal prefix, when it has one), each
// node's list in rank order. A request visits only the tries of its host
// and the trie nodes its path reaches, and keeps the best sub-route found,
// skipping any candidate ranked after it. Match takes no lock and, for
// prefix and host routes, allocates nothing.
//
// # Changing routes
//
// A Router never changes; Update makes a new one from it, applying a batch
// of changed and deleted routes. The new Router shares every compiled
// route, trie node and map the batch does not touch, and copies the few it
// does (the nodes on the way to a changed path, and the maps it writes
// to), so an Update costs about as much as compiling the changed routes,
// whatever the number of routes. NewFrom, for a whole new list of routes,
// reuses the compiled form of each route whose matching fields did not
// change.
//
// # Stream routes
//
// NewStream compiles the routes of the stream subsystem (protocols tcp,
// tls, udp, tls_passthrough) into a StreamRouter, apart from the HTTP
// one. A stream route matches on its SNIs (checked on TLS connections
// only, as Kong's net.protocol != "tls" || tls.sni ... does), sources and
// destinations (an IP address or CIDR range and a port, both required
// when both are set). Its priority is Kong's stream_get_priority: bit 61
// for SNIs or for sources and destinations together, then per side an
// exact IP (8), a port (4) and a range (1), the sources shifted by 4; the
// higher route id breaks ties. Protocols are not matched here either: the
// stream proxy checks them where Kong does (a TLS listener serves tls and
// tls_passthrough routes only). StreamRouter.Match tries the routes in
// priority order and allocates nothing.
//
// # Not here
//
// Kong's expressions flavor and its per-request LRU cache are not
// implemented (Match is fast enough without one).
package router
