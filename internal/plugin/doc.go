// Package plugin is the plugin registry and the plugin runtime.
//
// A plugin is a Go package that registers itself at init (Register): its
// name, Kong's priority, its version, its config schema and a constructor
// returning a handler. The handler implements any of the phase interfaces
// (RewriteHandler, AccessHandler, HeaderFilterHandler, BodyFilterHandler,
// LogHandler). The registry decides which plugins a node loads (Load, the
// `plugins` property) and provides their schemas to the plugins entity and
// to /schemas/plugins.
//
// Runtime runs them. It compiles the configured plugin instances of each
// runtime snapshot into an Index (handlers are built once per instance
// and reused while the row is unchanged) and implements proxy.Plugins with
// Kong's rules: priority order (ties by name, descending), scope
// precedence (route+service+consumer down to global), global plugins only
// in rewrite, the collecting access phase whose exit still lets the
// collected plugins' header_filter, body_filter and log run, a panic
// turned into Kong's 500 for that request, and an asynchronous log phase.
//
// Handlers see a request only through PDK, a small surface in the spirit
// of Kong's PDK, never net/http types. docs/plugins.md is the guide to
// writing one.
package plugin
