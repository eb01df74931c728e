// Package stream is Kong's stream (L4) proxy: the stream_listen
// listeners, TCP connections and UDP sessions routed by the snapshot's
// StreamRouter (routes with protocols tcp, tls, udp, tls_passthrough) and
// proxied to their service, balanced with the HTTP proxy's balancers.
//
// # Listeners
//
// A plain TCP listener routes a connection at once on its addresses (no
// SNI: a route's SNIs do not constrain it) and proxies its bytes. A
// listener with the ssl flag first reads the ClientHello (as nginx's
// ssl_preread, up to 16 KiB within 30 s) and routes on its SNI too; then:
//
//   - a route with protocol tls gets the TLS terminated with the
//     certificate Options.TLS picks (the gateway's: certificates entities
//     by SNI, else the default), is routed again as Kong's TLS terminator
//     does, and its decrypted bytes are proxied;
//   - a tls_passthrough route gets the client's bytes, ClientHello
//     included, proxied untouched: the upstream terminates the TLS;
//   - any other route closes the connection ("unexpected protocols in
//     matched Route").
//
// A UDP listener keeps a session per client address, with a connected
// socket to the upstream, until neither side sent anything for the
// service's timeout.
//
// # Upstreams
//
// The service's host is balanced as in the HTTP proxy (balancer.Tries: an
// upstream entity's targets, or the host's addresses), a failed connection
// being retried on another peer while the service's retries last. The
// service's connect_timeout bounds each connection (TLS handshake
// included); the larger of its write and read timeouts is the session's
// idle timeout (nginx's proxy_timeout, as Kong's balancer sets it). Over
// TCP, the gateway speaks TLS to every upstream whose service protocol is
// not tcp (Kong only turns proxy_ssl off for tcp services), except on
// tls_passthrough routes, with the service's tls_verify, tls_verify_depth,
// ca_certificates and client_certificate (runtime.UpstreamTLS, shared
// with the HTTP proxy); its server name is the client's SNI on
// preserve_host routes, else the target's name.
//
// A session ends when either side ends its stream (nginx's proxy_half_close
// off, Kong's setting), unless Options.HalfClose is set.
//
// # Failures
//
// As in Kong, a connection no route matches is closed after the error
// "no Route found with those values" is logged; a route without a service
// (or with an HTTP one) logs "no Service found with those values"; a
// balancer failure and an upstream that cannot be reached close the
// connection too. Nothing is sent to the client: the stream subsystem has
// no error responses.
//
// # Not here
//
// Stream plugins (the preread and log phases) do not run: plugins whose
// protocols allow tcp or tls are configured but never executed on
// streams. The PROXY protocol (proxy_protocol flag) is not spoken, and
// the access log is not written.
package stream
