// Package sqlite is the embedded default store.Backend: one SQLite file
// under the prefix directory, through modernc.org/sqlite (pure Go, no cgo).
//
// Each entity has a table named after it, created at Open:
//
//	id         TEXT PRIMARY KEY   -- rows are ordered and paged by id
//	data       TEXT               -- the whole row, JSON (see rowjson)
//	cache_key  UNIQUE             -- Kong's cache key, NULL when none
//	tags       TEXT               -- the tags, a JSON array for json_each
//	<field>    UNIQUE             -- one per unique field of the entity
//	<fk>_id    indexed (fk, id)   -- one per foreign key
//
// The schema_meta table records the layout version so that later releases
// can migrate; columns and indexes missing from an existing table (a field
// that became unique, a new foreign key) are added and filled from data
// at Open.
//
// The database runs in WAL mode: readers never wait for the writer. Writes
// go through one connection whose transactions begin IMMEDIATE, so
// concurrent Admin API writes queue in Go instead of failing with
// SQLITE_BUSY, and busy_timeout covers other processes using the file.
// Foreign keys are not declared: the DAO checks and cascades them.
package sqlite
