// Package memory is the in-memory store.Backend: the store of DB-less mode
// (database = off, filled from a declarative file or POST /config) and of
// tests.
//
// Each table keeps its rows by id, the ids in order (a chunked sorted list,
// so inserts and ordered paging stay cheap at hundreds of thousands of
// rows), a unique index per unique field of the entity, one for the cache
// key, and one ordered index per foreign key so that listing the children
// of an entity is not a full scan.
//
// Transactions follow the one-writer, many-readers model: Update holds the
// write lock for the whole transaction and records an undo log, replayed
// when the transaction returns an error, so a failed transaction leaves
// nothing behind; View holds the read lock. Rows are deep-copied on the way
// in and on the way out, so neither side can change the other's data.
// A transaction must not start another one (it would deadlock).
package memory
