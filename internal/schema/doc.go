// Package schema is Silverback's schema language: the one declaration of every
// entity and plugin configuration, from which validation, defaults, Kong-shaped
// error bodies and the /schemas JSON are all derived.
//
// A schema is data. Fields are built with constructors and value-receiver
// modifiers that return copies, so shared type definitions (see typedefs.go)
// are never changed by their users:
//
//	schema.Integer("retries").Default(5).Between(0, 32767)
//
// Values travel as the JSON data model: string, int64 (integer fields),
// float64 (number fields), bool, []any, map[string]any and nil. Entity.Validate
// coerces decoded input (json.Number, int, float64 ...) to that model, fills
// defaults and auto fields, runs field validators and entity checks, and
// returns a *ValidationError whose tree and message follow Kong's
// kong/db/schema/init.lua and kong/db/errors.lua.
package schema
