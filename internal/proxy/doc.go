// Package proxy is the HTTP data plane: an http.Handler that takes each
// request through Kong's runloop and proxies it to the matched service.
//
// # The runloop
//
// ServeHTTP loads the runtime snapshot once (one atomic load; a request
// finishes on the snapshot it started with), fills a pooled State from the
// request, and runs Kong's phases:
//
//   - nginx's own checks: TRACE and CONNECT are refused (405), a declared
//     body beyond client_max_body_size too (413).
//   - rewrite: Plugins.Rewrite (global plugins).
//   - access: the router matches (404 "no Route matched with those
//     values"); an https-only route over plain http gets 426 or its
//     redirect; the X-Forwarded-* values and the real client address are
//     computed (trusting the peer's headers only if it is in trusted_ips);
//     the service request is built: the upstream path (Kong's v0 path
//     handling) with the query string as sent, the Host when preserved, the
//     client's headers minus the hop-by-hop ones plus Kong's. Then
//     Plugins.Access runs, and a route without service gets 503.
//   - balancer: the first peer is picked (by the balancer of the upstream
//     named by the service's host, see package balancer, or the service
//     host resolved); then, per try, the connection is taken from its pool or
//     dialled (connect_timeout), the request written (write_timeout) and
//     the response head read (read_timeout). A failed try moves to the next
//     peer (an address not tried yet) while retries last, unless the request was already sent and its
//     method is not idempotent or its body was consumed. The last failure
//     answers 502 or 504. Each try's outcome goes back to the upstream's
//     balancer (passive health checks, connection counts, latency).
//   - header_filter: the upstream's headers minus the hop-by-hop ones,
//     Plugins.HeaderFilter, then the gateway's headers (Via, Server,
//     latencies, X-Kong-Request-Id) as the headers setting allows.
//   - body_filter: the body is streamed chunk by chunk through
//     Plugins.BodyFilter and flushed whenever the upstream pauses.
//   - log: Plugins.Log, after the response was sent.
//
// A plugin (or the router) that calls State.Exit or State.Error ends the
// phase; the response it set goes through header_filter, body_filter and
// log like any other. Gateway errors use Kong's bodies and content
// negotiation (see errorKind); to a gRPC call (Request.IsGRPC) they are
// Kong's gRPC answers, with grpc-status and grpc-message (see grpcExit).
// A panic becomes Kong's 500 for that request alone, or aborts its
// connection when the response had started.
//
// # gRPC
//
// A service of protocol grpc or grpcs is reached as nginx's grpc module
// does: over HTTP/2, in cleartext with prior knowledge (grpc) or over TLS
// negotiated by ALPN h2 (grpcs, with the https path's TLS settings and
// pool keys). The path is the client's, :authority the Host an http
// service would get (80 and 443 are the grpc and grpcs default ports),
// the headers Kong's minus HTTP/2's forbidden ones; Via names HTTP/2 both
// ways. Request and response stream at once (client, server and
// bidirectional streaming), the upstream's trailers reach the client,
// and body_filter sees the response's DATA as it comes (length-prefixed
// gRPC messages, possibly split). Connections are net/http's client
// connections (h2Pool), each carrying many streams; the service's
// timeouts apply per stream (h2Stream). Only a try that failed to connect
// moves to another peer.
//
// # The engine
//
// State, Request, Client, ServiceRequest and Response are what plugins
// see; they do not use net/http types, so the HTTP engine can be replaced
// without touching a plugin. The runloop (runloop.go) reaches the client
// through a small interface (engine.go): an inbound request (method,
// target, version, Host, header map, body) and a clientWriter (response
// header, WriteHeader, Write, Flush, Hijack, SetReadDeadline). Two
// engines implement it:
//
//   - Server (h1server.go, h1request.go, h1body.go, h1response.go), the
//     native HTTP/1.0 and 1.1 server of the proxy listeners: a goroutine
//     per connection, pooled buffers, per-connection request and response
//     state, no background read. It parses requests as net/http does,
//     refusing as nginx does what net/http tolerates (Transfer-Encoding
//     with Content-Length or on HTTP/1.0, repeated Content-Length,
//     obs-fold), and frames responses by net/http's rules. A client that
//     goes away while the upstream works is noticed when its connection is
//     next used (nginx would log 499); the request's context ends when the
//     connection closes. HTTP/2 connections go to an http.Server.
//   - Proxy.ServeHTTP, an http.Handler for net/http's server: HTTP/2 and
//     gRPC always, HTTP/1.x with proxy_http1_engine = nethttp.
//
// Upstreams are spoken to over the proxy's own pooled HTTP/1.1
// connections (upstream.go, transport.go: Kong's upstream keepalive
// pools), which lets it apply nginx's per-read and per-write timeouts and
// know exactly what was sent before a failure; gRPC services get HTTP/2
// (grpc.go, upstream_h2.go, upstream_h2stream.go). WebSocket upgrades are
// tunnelled both ways (websocket.go), on cleartext and TLS listeners, to
// ws and wss upstreams alike.
//
// Stateful parts outlive snapshots: the upstream balancers (their
// positions, health and resolved targets, Options.Balancers) by upstream
// id, resolved service names for a while, idle connections by address.
//
// # Usage
//
//	holder := runtime.NewHolder(dbFn, logger)
//	p := proxy.New(proxy.DefaultOptions(holder))
//	defer p.Close()
//	srv := &proxy.Server{Proxy: p, H2: &http.Server{Handler: p}}
//	err := srv.Serve(ln)
package proxy
