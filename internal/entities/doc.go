// Package entities declares Kong's core entities (services, routes,
// consumers, plugins, upstreams, targets, certificates, snis,
// ca_certificates, tags) once, as schema values, together with the typed
// structs the runtime reads. The Admin API, the declarative loader and
// exporter, the stores and /schemas all derive from these declarations.
//
// Field order, defaults, validators, entity checks and messages follow
// Kong 3.9 (kong/db/schema/entities/*.lua); see
// ../shared/kong-reference/entities.md.
package entities
