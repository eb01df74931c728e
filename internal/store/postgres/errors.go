package postgres

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/silverback-gw/silverback/internal/store"
)

// constraintError maps a unique violation (SQLSTATE 23505) to a
// *store.UniqueViolation naming the field its constraint covers; other
// errors are returned as they are.
func (t *tableDef) constraintError(err error, row store.Row, cacheKey string) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" {
		return err
	}
	field := uniqueField(t.entity.Name, pe.ConstraintName)
	switch field {
	case "cache_key":
		return &store.UniqueViolation{Field: field, Value: cacheKey}
	case "":
		return err
	}
	if c, ok := t.byField[field]; ok && c.kind == kindForeign {
		field = c.field.Name()
	}
	return &store.UniqueViolation{Field: field, Value: row[field]}
}

// uniqueField returns the field of a unique constraint named as Kong names
// them: "<table>_pkey" and "<table>_id_ws_id_unique" (id),
// "<table>_ws_id_<field>_unique", "<table>_<field>_key".
func uniqueField(table, constraint string) string {
	name, ok := strings.CutPrefix(constraint, table+"_")
	if !ok {
		return ""
	}
	switch name {
	case "pkey", "id_ws_id_unique", "id_ws_id_key":
		return "id"
	}
	for _, suffix := range []string{"_unique", "_key", "_idx"} {
		if f, ok := strings.CutSuffix(name, suffix); ok {
			f = strings.TrimPrefix(f, "ws_id_")
			f = strings.TrimSuffix(f, "_ws_id")
			return f
		}
	}
	return ""
}
