// Package declarative is Kong's declarative configuration (kong.yml): the
// file DB-less mode starts from and POST /config replaces, and the format
// of `config parse`, `config db_import` and `config db_export`.
//
// Parse (a JSON or YAML text) and ParseValue (a decoded JSON body) read a
// document, validate it against the catalog's entities and flatten it:
//
//	cfg, err := declarative.Parse(catalog, data)
//	if err != nil {
//		var derr *declarative.Error // always: Kong's code 14 tree
//		…
//	}
//	err = declarative.Load(ctx, db, cfg) // DB-less: replace everything
//
// The format is generated from the catalog, as Kong generates it from its
// schemas: one top-level list per entity table, plus _format_version
// ("1.1", "2.1" or "3.0"), _transform, _comment and _ignore. Every foreign
// key also allows nesting the child in its parent under the child's table
// name (services[].routes[].plugins[], upstreams[].targets[],
// certificates[].snis[] …); a nested child's foreign key is its parent.
// At the top level a foreign key names its parent by endpoint key (name,
// username …) or id, as a string or {id: …}; the parent must be declared
// in the same document. Entities without an id get Kong's deterministic
// UUID v5 ids (ids.go), so reloading a file keeps ids.
//
// Validation follows Kong's kong/db/schema/others/declarative_config.lua
// in its order and its quirks: each entity is validated with its schema
// (the Admin API's messages); then endpoint keys and ids must be unique
// among the declared entities and references must resolve; then unique
// fields must differ. The first failing phase is the error, keyed as Kong
// keys it, rendered by Error as Kong renders it, and flattened by
// FlattenedErrors as POST /config?flatten_errors=1 does.
//
// A parsed Config is read-only. Load writes it as DB-less mode does: one
// transaction that truncates every table and inserts every row, so an
// invalid or failing configuration leaves the previous one in place.
// Import upserts it into a database (db_import); Export renders a database
// back into the format (db_export, GET /config), and Parse(Export(db))
// yields db's rows.
package declarative
