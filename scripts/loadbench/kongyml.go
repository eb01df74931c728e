package main

import (
	"fmt"
	"strings"
)

// kongYML builds a declarative configuration (kong.yml) line by line: one service,
// "upstream", pointing at the loadbench upstream, its routes, and consumers.
type kongYML struct{ b strings.Builder }

// newKongYML starts a configuration with the service and its routes list.
func newKongYML() *kongYML {
	y := &kongYML{}
	y.line("_format_version: \"3.0\"")
	y.line("services:")
	y.line("- name: upstream")
	y.line("  url: http://%s", upstreamAddr)
	y.line("  routes:")
	return y
}

func (y *kongYML) line(format string, args ...any) { fmt.Fprintf(&y.b, format+"\n", args...) }

// route adds a route with the given paths, which it does not strip.
func (y *kongYML) route(name string, paths ...string) {
	y.line("  - name: %s", name)
	y.line("    paths: [\"%s\"]", strings.Join(paths, "\", \""))
	y.line("    strip_path: false")
}

// prefixRoutes adds the routes r0000 … r<n-1> with the prefix paths /r0000/ …; the
// first one also gets the path extra when it is set (the rebuild step's change).
func (y *kongYML) prefixRoutes(n int, extra string) {
	for i := range n {
		name := prefixRouteName(i)
		if i == 0 && extra != "" {
			y.route(name, "/"+name+"/", extra)
			continue
		}
		y.route(name, "/"+name+"/")
	}
}

func prefixRouteName(i int) string { return fmt.Sprintf("r%04d", i) }

// keyAuthRoute adds the route /auth with key-auth reading the apikey header, and
// rate-limiting far above any reachable rate when rateLimit is set.
func (y *kongYML) keyAuthRoute(rateLimit bool) {
	y.route("auth", "/auth")
	y.line("    plugins:")
	y.line("    - name: key-auth")
	y.line("      config: {key_names: [%s]}", apiKeyHeader)
	if rateLimit {
		y.line("    - name: rate-limiting")
		y.line("      config: {second: 1000000000, policy: local}")
	}
}

// consumers adds n consumers c00000 … with one key-auth credential each (consumerKey).
func (y *kongYML) consumers(n int) {
	y.line("consumers:")
	for i := range n {
		y.line("- username: c%05d", i)
		y.line("  keyauth_credentials:")
		y.line("  - key: %s", consumerKey(i))
	}
}

func (y *kongYML) String() string { return y.b.String() }

// memoryYML is the memory step's configuration: routes prefix routes, the key-auth
// route, and consumers consumers with a key each.
func memoryYML(routes, consumers int) string {
	y := newKongYML()
	y.prefixRoutes(routes, "")
	y.keyAuthRoute(false)
	y.consumers(consumers)
	return y.String()
}
