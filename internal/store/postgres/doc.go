// Package postgres is the PostgreSQL store.Backend, on pgx v5, over the
// very tables Kong 3.x uses: Silverback opens a database that `kong
// migrations bootstrap` created, and Kong opens one that Migrator.Bootstrap
// created.
//
// Each entity lives in its Kong table, one column per field: a foreign field
// in "<name>_id" (uuid), sets and arrays in text[] / uuid[] / jsonb[],
// records and maps in jsonb, timestamps in timestamptz (integer seconds, or
// seconds with milliseconds where the field is a number, as targets'), plus
// ws_id (the default workspace) and, where Kong has the column, cache_key
// completed with the workspace id as Kong writes it. Entities that expire
// (schema.Entity.TTL) keep Kong's ttl column, the absolute expiry: a row's
// "ttl" reads as the seconds left and expired rows are not read. Rows are
// written as one jsonb object that jsonb_populate_record expands to the
// columns' types, and read back with to_jsonb, so the mapping follows the
// columns the database has. PostgreSQL text cannot hold NUL: strings that
// contain it are stored escaped (see escape). The sync_tags triggers keep
// the tags table current.
//
// Writes (Update) take a transaction advisory lock, so that Admin API
// writes on every node apply one at a time, and run again on a
// serialization failure or deadlock; reads (View) run on one
// repeatable-read snapshot, on the pg_ro_* replica when configured. A write
// hook (WithWriteHook) runs in each write transaction before its commit.
//
// Migrator runs Kong's migration commands — bootstrap, up, finish, reset,
// status — keeping Kong's schema_meta bookkeeping and locks row, so that
// either gateway sees the other's database as up to date for Kong 3.9.
//
// The tests need a PostgreSQL server at 127.0.0.1:5432 where the postgres
// role logs in without a password (scripts/test-services.sh sets one up);
// each test works in a database of its own, dropped when it ends.
package postgres
