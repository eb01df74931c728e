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
// A row is stored encoded, as a record (codec.go): one immutable string
// holding its id, its cache key and its fields, named by their position in
// the entity, scalars in binary and nested values as rowjson text (the
// SQL stores' codec). The indexes take their keys from the records, so a
// row costs its record and its map entries: DB-less mode holds 100,000
// consumers with credentials in tens of megabytes. Every read decodes a
// fresh row, as the SQL stores do, so that writers and readers never share
// data; values read back equal the values written, int64 and float64 kept
// apart (other numbers come back as those two, as from the SQL stores).
//
// Transactions follow the one-writer, many-readers model: Update holds the
// write lock for the whole transaction and records an undo log, replayed
// when the transaction returns an error, so a failed transaction leaves
// nothing behind; View holds the read lock. A transaction must not start
// another one (it would deadlock).
package memory
