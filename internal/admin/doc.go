// Package admin is Silverback's Admin API: Kong 3.9's Admin API for every
// entity of the catalog, served as an http.Handler, so that Kong's own
// clients (decK, go-kong, the Kong Ingress Controller) work unmodified.
//
// It sits in the config flow: requests are decoded (JSON, form-urlencoded or
// multipart, with Kong's type inference from the entity schema), turned into
// DAO calls on the store, and the results or store errors rendered in Kong's
// JSON shapes. It never holds state of its own beyond counters and the
// dynamic log level; the store is asked for the current DB on every request
// (DB-less mode swaps it on POST /config).
//
// The endpoints are generated from the catalog as Kong's kong/api/endpoints.lua
// does (one collection, one entity, and per foreign key a foreign-entity
// endpoint, a nested collection and a nested entity endpoint), then Kong's
// special cases (kong/api/routes/*.lua) replace or disable some of them:
// targets under upstreams, certificates addressed by SNI, consumers by
// custom_id, plugins PATCH by form, tags, schemas, node information, cache,
// debug log level and DB-less /config.
//
// Usage:
//
//	h := admin.New(admin.Options{
//		DB:      func() *store.DB { return db },
//		Plugins: plugins,
//		Node:    admin.NodeInfo{Version: "3.9.1", NodeID: id, Hostname: host, Database: "sqlite"},
//	})
//	srv := &http.Server{Handler: h, ConnState: h.ConnState}
//
// Every response is JSON (or empty: 204, 304, 415); errors are rendered in
// one place (errors.go) from store.Error codes to HTTP statuses and Kong's
// bodies.
package admin
