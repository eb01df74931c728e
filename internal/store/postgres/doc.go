// Package postgres is the PostgreSQL store.Backend, on pgx v5, over the
// very tables Kong 3.x uses: Silverback opens a database that `kong
// migrations bootstrap` created, and Kong opens one that Migrator.Bootstrap
// created.
//
// Each entity lives in its Kong table, one column per field: a foreign field
// in "<name>_id" (uuid), sets and arrays in text[] / uuid[] / jsonb[],
// records and maps in jsonb, timestamps in timestamptz (integer seconds, or
// seconds with milliseconds for targets and upstreams), plus ws_id (the
// default workspace) and cache_key where Kong has them. Rows are written as
// one jsonb object that jsonb_populate_record expands to the columns' types,
// and read back with to_jsonb, so the mapping follows the columns the
// database has. The sync_tags triggers keep the tags table current.
//
// Writes (Update) take a transaction advisory lock, so that Admin API
// writes on every node apply one at a time; reads (View) run on one
// repeatable-read snapshot, on the pg_ro_* replica when configured.
//
// Migrator runs Kong's migration commands — bootstrap, up, finish, reset,
// status — keeping Kong's schema_meta bookkeeping and locks row, so that
// either gateway sees the other's database as up to date for Kong 3.9.
package postgres
