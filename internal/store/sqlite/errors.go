package sqlite

import (
	"errors"
	"strings"

	"github.com/silverback-gw/silverback/internal/store"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// constraintError turns SQLite's unique and primary key violations into
// *store.UniqueViolation naming the field; other errors pass through.
func (td *tableDef) constraintError(err error) error {
	var se *sqlite.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return &store.UniqueViolation{Field: "id"}
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE:
		return &store.UniqueViolation{Field: td.fieldOfColumn(uniqueColumn(se.Error()))}
	}
	return err
}

// uniqueColumn returns the column of SQLite's message "UNIQUE constraint
// failed: table.column" (the first one when several are listed).
func uniqueColumn(msg string) string {
	const marker = "UNIQUE constraint failed: "
	i := strings.Index(msg, marker)
	if i < 0 {
		return ""
	}
	rest := msg[i+len(marker):]
	if j := strings.IndexAny(rest, ", ("); j >= 0 {
		rest = rest[:j]
	}
	_, col, _ := strings.Cut(rest, ".")
	return col
}
