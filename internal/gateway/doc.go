// Package gateway assembles a Silverback node from its configuration: the
// store chosen by `database` (embedded SQLite by default, memory for
// DB-less), the runtime snapshot holder that follows store changes, and the
// proxy, stream (stream_listen), Admin API and status listeners. The CLI's
// start, reload, quit and stop commands drive a Gateway.
package gateway
