// Package store is Silverback's data access layer, Kong's DAO: it validates
// writes against the entity schemas, checks foreign keys and uniqueness,
// cascades deletes, keeps certificates' SNIs, and publishes a change event
// after each committed write. It reads and writes rows through a Backend:
// memory (DB-less), sqlite (the embedded default) and postgres each
// implement that one interface and pass the one conformance suite in
// storetest.
//
// Errors are *Error values carrying Kong's error codes (kong/db/errors.lua);
// the Admin API renders them.
package store
