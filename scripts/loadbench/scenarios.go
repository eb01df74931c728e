package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Fixed loopback ports; nothing listens beyond 127.0.0.1.
const (
	upstreamAddr = "127.0.0.1:18080"
	nginxHTTP    = "127.0.0.1:18000"
	nginxHTTPS   = "127.0.0.1:18443"
	gatewayHTTP  = "127.0.0.1:18100"
	gatewayHTTPS = "127.0.0.1:18543"
	gatewayAdmin = "127.0.0.1:18101"
	gatewayDebug = "127.0.0.1:18102" // debug_listen, with -profile
	// The paired plain gateway's listeners (a scenario's paired field).
	pairedHTTP    = "127.0.0.1:18200"
	pairedAdmin   = "127.0.0.1:18201"
	manyRoutes    = 10000
	manyConsumers = 10000
	apiKeyHeader  = "apikey"
)

// Kong's messages for the refusals.
const (
	msgNoRoute = "no Route matched with those values"
	msgNoKey   = "No API key found in request"
	msgBadKey  = "Unauthorized"
)

// nginxError is Kong's error body (kong.response.error) as an nginx string: nginx's
// $request_id has the same 32 hex digits as Kong's, so the bodies have the same length.
func nginxError(msg string) string {
	return `'{\n  "message":"` + msg + `",\n  "request_id":"$request_id"\n}'`
}

// A scenario is one row pair of the table: the same work configured in nginx and in
// the gateway, and the request wrk sends to both.
type scenario struct {
	name    string
	about   string
	path    string   // what wrk requests
	https   bool     // wrk talks TLS 1.3 to the proxy
	auth    bool     // needs an apikey header; without it the proxy answers 401
	plugins []string // gateway plugins it needs (GET /plugins/enabled)
	big     bool     // the upstream answers 16 KiB
	// paired runs a second gateway, with the plain scenario's configuration, beside
	// this one and loads it in the same rounds: the scenario's target is a fraction of
	// the gateway's own plain figure, and measuring both in the same minutes keeps
	// the host's drift between scenarios out of that ratio.
	paired bool
}

var scenarios = []scenario{
	{name: "plain", about: "1 route", path: "/plain"},
	{name: "routes-10k", about: "10,000 prefix routes, one in the middle hit", path: fmt.Sprintf("/r%04d/x", manyRoutes/2), paired: true},
	{name: "key-auth", about: "key-auth, 10,000 consumers", path: "/auth", auth: true, plugins: []string{"key-auth"}},
	{name: "key-auth+rl", about: "key-auth + rate-limiting (local, never reached)", path: "/auth", auth: true, plugins: []string{"key-auth", "rate-limiting"}, paired: true},
	{name: "body-16k", about: "16 KiB response bodies", path: "/big", big: true},
	{name: "https", about: "TLS 1.3, keep-alive, 1 route", path: "/plain", https: true},
}

// A step is a gateway-only measurement beside the table (issue 6's memory and
// snapshot-rebuild targets): selected by name with -scenarios but not run by default,
// it reports in a Markdown section of its own.
type step struct {
	name    string
	about   string
	plugins []string // gateway plugins it needs
	run     func(b *bench, ctx context.Context) (string, error)
}

var steps = []step{
	{name: "memory", about: "the gateway's RSS with many routes and key-auth consumers", plugins: []string{"key-auth"}, run: (*bench).memory},
	{name: "rebuild", about: "10,000 routes, one changed 10 times a second under load", run: (*bench).rebuild},
}

func scenarioNames() []string {
	var names []string
	for _, s := range scenarios {
		names = append(names, s.name)
	}
	return names
}

func stepNames() []string {
	var names []string
	for _, s := range steps {
		names = append(names, s.name)
	}
	return names
}

// selectScenarios picks the table's scenarios and the steps named in list, a
// comma-separated list; "" selects every scenario of the table and no step.
func selectScenarios(list string) ([]scenario, []step, error) {
	if list == "" {
		return scenarios, steps, nil
	}
	var table []scenario
	var extra []step
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if i := slices.IndexFunc(scenarios, func(s scenario) bool { return s.name == name }); i >= 0 {
			table = append(table, scenarios[i])
		} else if i := slices.IndexFunc(steps, func(s step) bool { return s.name == name }); i >= 0 {
			extra = append(extra, steps[i])
		} else {
			return nil, nil, fmt.Errorf("unknown scenario %q (have %s)", name, strings.Join(append(scenarioNames(), stepNames()...), ", "))
		}
	}
	return table, extra, nil
}

// key is the credential wrk sends: a consumer in the middle of the 10,000.
func (s scenario) key() string {
	if !s.auth {
		return ""
	}
	return consumerKey(manyConsumers / 2)
}

// keyFor is the credential wrk sends to the proxy p: none to the paired plain gateway.
func (s scenario) keyFor(p proxyKind) string {
	if p == pairedProxy {
		return ""
	}
	return s.key()
}

func consumerKey(i int) string { return fmt.Sprintf("key-%05d", i) }

func (s scenario) url(p proxyKind) string {
	addr, scheme := nginxHTTP, "http"
	switch p {
	case gatewayProxy:
		addr = gatewayHTTP
	case pairedProxy:
		return "http://" + pairedHTTP + scenarios[0].path
	}
	if s.https {
		scheme = "https"
		addr = nginxHTTPS
		if p == gatewayProxy {
			addr = gatewayHTTPS
		}
	}
	return scheme + "://" + addr + s.path
}

// nginxConf writes the nginx configuration of s into dir and returns its path; the
// TLS certificate is in certDir. One
// worker, no access log, HTTP/1.1 keep-alive to the upstream, and the proxy headers
// Kong sets on every proxied request, so both proxies do the same work per request.
func (s scenario) nginxConf(dir, certDir string) (string, error) {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("worker_processes 1;")
	w("daemon off;")
	w("pid %s;", filepath.Join(dir, "nginx.pid"))
	w("error_log %s warn;", filepath.Join(dir, "nginx-error.log"))
	w("events { worker_connections 4096; }")
	w("http {")
	w("  access_log off;")
	w("  default_type \"application/json; charset=utf-8\";")
	w("  keepalive_requests 1000000;")
	for _, t := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		w("  %s_temp_path %s;", t, filepath.Join(dir, "nginx-"+t))
	}
	w("  upstream up { server %s; keepalive 64; }", upstreamAddr)
	w("  proxy_http_version 1.1;")
	w("  proxy_set_header Connection \"\";")
	w("  proxy_set_header Host %s;", upstreamAddr)
	w("  proxy_set_header X-Real-IP $remote_addr;")
	w("  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;")
	w("  proxy_set_header X-Forwarded-Proto $scheme;")
	w("  proxy_set_header X-Forwarded-Host $host;")
	w("  proxy_set_header X-Forwarded-Port $server_port;")
	if s.auth {
		w("  map_hash_max_size %d;", 4*manyConsumers)
		w("  map_hash_bucket_size 128;")
		w("  map $http_%s $consumer {", apiKeyHeader)
		w("    default \"\";")
		for i := range manyConsumers {
			w("    %s c%05d;", consumerKey(i), i)
		}
		w("  }")
		w("  limit_req_zone $consumer zone=perconsumer:10m rate=1000000r/s;")
	}
	w("  server {")
	if s.https {
		w("    listen %s ssl;", nginxHTTPS)
		w("    ssl_certificate %s;", filepath.Join(certDir, "cert.pem"))
		w("    ssl_certificate_key %s;", filepath.Join(certDir, "key.pem"))
		w("    ssl_protocols TLSv1.3;")
		w("    ssl_session_cache shared:SSL:1m;")
	} else {
		w("    listen %s;", nginxHTTP)
	}
	w("    location / { return 404 %s; }", nginxError(msgNoRoute))
	switch s.name {
	case "routes-10k":
		for i := range manyRoutes {
			w("    location /r%04d/ { proxy_pass http://up; }", i)
		}
	case "key-auth", "key-auth+rl":
		w("    location /auth {")
		w("      if ($http_%s = \"\") { return 401 %s; }", apiKeyHeader, nginxError(msgNoKey))
		w("      if ($consumer = \"\") { return 401 %s; }", nginxError(msgBadKey))
		if s.name == "key-auth+rl" {
			w("      limit_req zone=perconsumer burst=1000000 nodelay;")
		}
		w("      proxy_pass http://up;")
		w("    }")
	default:
		w("    location %s { proxy_pass http://up; }", strings.TrimSuffix(s.path, "/x"))
	}
	w("  }")
	w("}")
	path := filepath.Join(dir, "nginx.conf")
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}

// kongYML writes the gateway's declarative configuration of s into dir.
func (s scenario) kongYML(dir string) (string, error) {
	y := newKongYML()
	switch s.name {
	case "routes-10k":
		y.prefixRoutes(manyRoutes, "")
	case "key-auth", "key-auth+rl":
		y.keyAuthRoute(s.name == "key-auth+rl")
	default:
		y.route(strings.TrimPrefix(s.path, "/"), s.path)
	}
	if s.auth {
		y.consumers(manyConsumers)
	}
	path := filepath.Join(dir, "kong.yml")
	return path, os.WriteFile(path, []byte(y.String()), 0o644)
}
