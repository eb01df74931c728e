package schema

import (
	"strings"
)

// Check is an entity-level validation (Kong's entity_checks). Build one with
// AtLeastOneOf, OnlyOneOf, MutuallyRequired, Distinct, Conditional or Custom.
type Check struct {
	// Fields the check reads; it is skipped when one of them failed to validate.
	fields []string
	run    func(values map[string]any, op Op, errs Errors)
	// JSON is the check as /schemas renders it.
	JSON map[string]any
}

func runChecks(checks []Check, values map[string]any, op Op, errs Errors) {
	for _, c := range checks {
		if anyErrored(c.fields, errs) {
			continue
		}
		c.run(values, op, errs)
	}
}

func anyErrored(fields []string, errs Errors) bool {
	for _, f := range fields {
		if _, ok := errs[f]; ok {
			return true
		}
	}
	return false
}

// IsNonEmpty reports whether v counts as set for Kong's entity checks: not
// null, not an empty string and not an empty array or map.
func IsNonEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

func quoteList(fields []string) string {
	q := make([]string, len(fields))
	for i, f := range fields {
		q[i] = "'" + f + "'"
	}
	return strings.Join(q, ", ")
}

func whenUpdating(op Op, msg string) string {
	if op == OpUpdate {
		return "when updating, " + msg
	}
	return msg
}

func countNonEmpty(values map[string]any, fields []string) int {
	n := 0
	for _, f := range fields {
		if IsNonEmpty(lookupPath(values, f)) {
			n++
		}
	}
	return n
}

// lookupPath reads a possibly dotted field path ("config.second").
func lookupPath(values map[string]any, path string) any {
	var cur any = values
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

func listJSON(kind string, fields []string) map[string]any {
	return map[string]any{kind: append([]string(nil), fields...)}
}

// AtLeastOneOf requires at least one of fields to be non-empty.
func AtLeastOneOf(fields ...string) Check {
	msg := "at least one of these fields must be non-empty: " + quoteList(fields)
	return Check{fields: fields, JSON: listJSON("at_least_one_of", fields),
		run: func(v map[string]any, op Op, errs Errors) {
			if countNonEmpty(v, fields) == 0 {
				errs.addEntityError(whenUpdating(op, msg))
			}
		}}
}

// OnlyOneOf allows at most one of fields to be non-empty.
func OnlyOneOf(fields ...string) Check {
	msg := "only one or none of these fields must be set: " + quoteList(fields)
	return Check{fields: fields, JSON: listJSON("only_one_of", fields),
		run: func(v map[string]any, op Op, errs Errors) {
			if countNonEmpty(v, fields) > 1 {
				errs.addEntityError(msg)
			}
		}}
}

// ExactlyOneOf requires exactly one of fields to be non-empty.
func ExactlyOneOf(fields ...string) Check {
	msg := "exactly one of these fields must be non-empty: " + quoteList(fields)
	return Check{fields: fields, JSON: listJSON("exactly_one_of", fields),
		run: func(v map[string]any, op Op, errs Errors) {
			if countNonEmpty(v, fields) != 1 {
				errs.addEntityError(msg)
			}
		}}
}

// MutuallyRequired requires fields to be all set or all unset.
func MutuallyRequired(fields ...string) Check {
	msg := "all or none of these fields must be set: " + quoteList(fields)
	return Check{fields: fields, JSON: listJSON("mutually_required", fields),
		run: func(v map[string]any, op Op, errs Errors) {
			if n := countNonEmpty(v, fields); n != 0 && n != len(fields) {
				errs.addEntityError(msg)
			}
		}}
}

// Distinct requires the non-null values of fields to differ.
func Distinct(fields ...string) Check {
	msg := "values of these fields must be distinct: " + quoteList(fields)
	return Check{fields: fields, JSON: listJSON("distinct", fields),
		run: func(v map[string]any, op Op, errs Errors) {
			for i := range fields {
				for j := i + 1; j < len(fields); j++ {
					a, b := lookupPath(v, fields[i]), lookupPath(v, fields[j])
					if a != nil && b != nil && Equal(a, b) {
						errs.addEntityError(msg)
						return
					}
				}
			}
		}}
}

// Cond is a condition on one field's value in a Conditional check.
type Cond struct {
	OneOf    []any // the value is one of these
	NotOneOf []any // the value is none of these
	Null     bool  // the value is null ("value must be null")
	Required bool  // the value is non-null ("required field missing")
	// Contains: the value (an array) contains this element.
	Contains any
}

func (c Cond) holds(v any) (bool, string) {
	switch {
	case c.Null:
		return !IsNonEmpty(v), msgMustBeNull
	case c.Required:
		return v != nil, msgRequired
	case c.Contains != nil:
		items, _ := toSlice(v)
		return containsValue(items, c.Contains), "expected to contain: " + formatValue(c.Contains)
	case len(c.OneOf) > 0:
		return v != nil && containsValue(c.OneOf, v), "expected one of: " + joinValues(c.OneOf)
	case len(c.NotOneOf) > 0:
		return !containsValue(c.NotOneOf, v), "must not be one of: " + joinValues(c.NotOneOf)
	}
	return true, ""
}

func (c Cond) json() map[string]any {
	switch {
	case c.Null:
		return map[string]any{"eq": nil}
	case c.Required:
		return map[string]any{"required": true}
	case c.Contains != nil:
		return map[string]any{"contains": c.Contains}
	case len(c.NotOneOf) > 0:
		return map[string]any{"not_one_of": c.NotOneOf}
	}
	return map[string]any{"one_of": c.OneOf}
}

// Conditional: when ifField satisfies ifCond, thenField must satisfy thenCond.
// A failure reports Kong's "failed conditional validation given value of
// field '<if>'" on the entity and the condition's message on thenField.
func Conditional(ifField string, ifCond Cond, thenField string, thenCond Cond) Check {
	msg := "failed conditional validation given value of field '" + ifField + "'"
	return Check{fields: []string{ifField, thenField},
		JSON: map[string]any{"conditional": map[string]any{
			"if_field": ifField, "if_match": ifCond.json(),
			"then_field": thenField, "then_match": thenCond.json(),
		}},
		run: func(v map[string]any, op Op, errs Errors) {
			if ok, _ := ifCond.holds(lookupPath(v, ifField)); !ok {
				return
			}
			if ok, fmsg := thenCond.holds(lookupPath(v, thenField)); !ok {
				errs.addEntityError(msg)
				errs[thenField] = fmsg
			}
		}}
}

// Custom is an entity check written in Go. fn reports problems into errs
// (entity messages via errs.AddEntity, field messages by key).
func Custom(fields []string, fn func(values map[string]any, op Op, errs Errors)) Check {
	return Check{fields: fields, run: fn,
		JSON: map[string]any{"custom_entity_check": map[string]any{"field_sources": append([]string(nil), fields...)}}}
}

// AddEntity appends an entity-level message; for Custom checks.
func (errs Errors) AddEntity(msg string) { errs.addEntityError(msg) }
