// Package prometheus implements Kong's prometheus plugin: its log phase
// counts requests, bandwidth and latencies per service, route and
// consumer (each family behind its config flag, as Kong's exporter.lua),
// and Handler serves them with the node's gauges in Prometheus's text
// format at /metrics on the Admin and Status APIs.
//
// The metrics live in one registry per process, as Kong's live in the
// node's shared dictionary: every instance of the plugin adds to them.
package prometheus
