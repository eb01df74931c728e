package schema

import (
	"crypto/rand"
	"fmt"
	"maps"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Op is the write operation a validation is for; it decides defaults, auto
// fields and the wording of some entity checks.
type Op int

// Write operations.
const (
	OpInsert Op = iota // POST: defaults and auto fields filled
	OpUpsert           // PUT: a full replacement, filled like an insert
	OpUpdate           // PATCH: the caller merged the stored entity with the input first
)

// Clock returns the current time; tests replace it.
var Clock = time.Now

// Validate checks values (an entity as decoded from a request or a file) for
// op and returns the complete entity: every field present (null when unset),
// values coerced to the data model, defaults and auto fields filled. The
// input map is not modified. The error is a *ValidationError.
func (e *Entity) Validate(values map[string]any, op Op) (map[string]any, error) {
	in := make(map[string]any, len(values)+4)
	for k, v := range values {
		in[k] = v
	}
	errs := Errors{}
	if op != OpUpdate { // MergeUpdate already prepared the body
		e.applyShorthands(in, errs)
		if e.Normalize != nil {
			e.Normalize(in, op)
		}
	}
	if e.UnknownSubschema != nil {
		// Kong stops at an unknown subschema ("plugin 'x' not enabled"):
		// nothing else can be validated without it.
		if key, ok := in[e.SubschemaKey].(string); ok && e.subschema(in) == nil {
			return nil, &ValidationError{Fields: Errors{e.SubschemaKey: e.UnknownSubschema(key)}}
		}
	}
	fields := e.fieldsFor(in)
	out, ferrs := validateRecord(fields, in, op, true)
	for k, v := range ferrs {
		if _, done := errs[k]; !done {
			errs[k] = v
		}
	}
	if e.TTL {
		// ttl is handled by the store; it is accepted here as a known field.
		if v, ok := in["ttl"]; ok {
			out["ttl"] = v
			delete(errs, "ttl")
		}
	}
	e.fillAuto(out, op)
	// Each entity check runs when the fields it reads are valid, whatever
	// other fields failed (kong/db/schema/init.lua run_entity_checks).
	runChecks(e.Checks, out, op, errs)
	if sub := e.subschema(out); sub != nil {
		runChecks(sub.Checks, out, op, errs)
	}
	if len(errs) > 0 {
		return nil, &ValidationError{Fields: errs}
	}
	if e.Transform != nil {
		e.Transform(out)
	}
	return out, nil
}

// ValidateField validates one value against the named field, returning the
// coerced value. It is used for lookups by endpoint key and query arguments.
func (e *Entity) ValidateField(name string, v any) (any, any) {
	for _, f := range e.Fields {
		if f.name == name {
			return validateValue(f, v, OpInsert)
		}
	}
	return nil, msgUnknown
}

func (e *Entity) applyShorthands(in map[string]any, errs Errors) { expand(e.Shorthands, in, errs) }

// expand replaces the shorthands given in in by what they expand to.
func expand(shorthands []Shorthand, in map[string]any, errs Errors) {
	for _, sh := range shorthands {
		v, ok := in[sh.Field.name]
		if !ok {
			continue
		}
		delete(in, sh.Field.name)
		if v == nil {
			continue
		}
		cv, ferr := validateValue(sh.Field, v, OpInsert)
		if ferr != nil {
			errs[sh.Field.name] = ferr
			continue
		}
		if err := sh.Expand(cv, in); err != nil {
			errs[sh.Field.name] = err.Error()
		}
	}
}

func (e *Entity) fillAuto(out map[string]any, op Op) {
	now := Clock()
	for _, f := range e.Fields {
		if !f.auto {
			continue
		}
		switch {
		case f.name == "updated_at":
			out[f.name] = timestampValue(f, now)
		case out[f.name] != nil:
		case op == OpUpdate && f.name != "created_at":
		case f.uuid:
			out[f.name] = uuid.NewString()
		case f.timestamp:
			out[f.name] = timestampValue(f, now)
		case f.typ == String:
			out[f.name] = RandomString()
		}
	}
}

func timestampValue(f Field, now time.Time) any {
	if f.typ == Number {
		return math.Floor(float64(now.UnixMilli())) / 1000
	}
	return now.Unix()
}

// RandomString returns a 32-character alphanumeric secret, as Kong generates
// for auto credential fields (base64 of 24 random bytes, '+' and '/' replaced).
func RandomString() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// validateRecord validates the fields of a record (or entity) and returns the
// complete value. Unknown keys are errors.
func validateRecord(fields []Field, in map[string]any, op Op, top bool) (map[string]any, Errors) {
	out := make(map[string]any, len(fields))
	errs := Errors{}
	known := make(map[string]struct{}, len(fields))
	for _, f := range fields {
		known[f.name] = struct{}{}
		v, present := in[f.name]
		if !present {
			if f.hasDefault {
				v = cloneValue(f.def)
			} else if f.typ == Record && !f.abstract {
				v = map[string]any{}
			}
		}
		if v == nil {
			out[f.name] = nil
			if f.required && !(top && f.auto) {
				errs[f.name] = msgRequired
			}
			continue
		}
		cv, ferr := validateValue(f, v, op)
		if ferr != nil {
			errs[f.name] = ferr
			continue
		}
		out[f.name] = cv
	}
	for k := range in {
		if _, ok := known[k]; !ok {
			if strings.HasPrefix(k, "_") && top { // _comment, _ignore in declarative files
				continue
			}
			errs[k] = msgUnknown
		}
	}
	return out, errs
}

// validateValue checks a non-null value against f, returning the coerced
// value or an error node (string, Errors or IndexErrors).
func validateValue(f Field, v any, op Op) (any, any) {
	switch f.typ {
	case String:
		s, ok := v.(string)
		if !ok {
			return nil, msgExpected(String)
		}
		return s, checkString(f, s)
	case Integer:
		n, ok := toInt64(v)
		if !ok {
			return nil, msgExpected(Integer)
		}
		return n, checkNumber(f, float64(n), n)
	case Number:
		n, ok := toFloat64(v)
		if !ok {
			return nil, msgExpected(Number)
		}
		return n, checkNumber(f, n, n)
	case Boolean:
		b, ok := v.(bool)
		if !ok {
			return nil, msgExpected(Boolean)
		}
		return b, nil
	case Array, Set:
		return validateList(f, v, op)
	case Map:
		return validateMap(f, v, op)
	case Record:
		m, ok := toMap(v)
		if !ok {
			return nil, msgExpected(Record)
		}
		if len(f.expanders) > 0 {
			m = maps.Clone(m)
			errs := Errors{}
			expand(f.expanders, m, errs)
			if len(errs) > 0 {
				return nil, errs
			}
		}
		out, errs := validateRecord(f.fields, m, op, false)
		if len(errs) > 0 {
			return nil, errs
		}
		return out, runFieldCustom(f, out)
	case Foreign:
		return validateForeign(v)
	}
	return nil, fmt.Sprintf("unsupported type %d", f.typ)
}

func runFieldCustom(f Field, v any) any {
	if f.custom == nil {
		return nil
	}
	if err := f.custom(v); err != nil {
		return err.Error()
	}
	return nil
}

func checkString(f Field, s string) any {
	n := utf8.RuneCountInString(s)
	minLen := 1
	if f.lenMin != nil {
		minLen = *f.lenMin
	}
	if n < minLen {
		return "length must be at least " + strconv.Itoa(minLen)
	}
	if f.lenMax != nil && n > *f.lenMax {
		return "length must be at most " + strconv.Itoa(*f.lenMax)
	}
	if f.match != nil && !f.match.re.MatchString(s) {
		if f.match.message != "" {
			if strings.Contains(f.match.message, "%s") {
				return fmt.Sprintf(f.match.message, s)
			}
			return f.match.message
		}
		return "invalid value: " + s
	}
	if f.startsWith != "" && !strings.HasPrefix(s, f.startsWith) {
		return "should start with: " + f.startsWith
	}
	if msg := checkOneOf(f, s); msg != nil {
		return msg
	}
	if f.uuid && !IsUUID(s) {
		return msgInvalidUUID
	}
	return runFieldCustom(f, s)
}

func checkNumber(f Field, x float64, v any) any {
	if f.between != nil && (x < f.between[0] || x > f.between[1]) {
		return "value should be between " + formatNumber(f.between[0]) + " and " + formatNumber(f.between[1])
	}
	if msg := checkOneOf(f, v); msg != nil {
		return msg
	}
	return runFieldCustom(f, v)
}

func checkOneOf(f Field, v any) any {
	if len(f.oneOf) > 0 && !containsValue(f.oneOf, v) {
		return "expected one of: " + joinValues(f.oneOf)
	}
	if containsValue(f.notOneOf, v) {
		return "must not be one of: " + joinValues(f.notOneOf)
	}
	return nil
}

func joinValues(vs []any) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = formatValue(v)
	}
	return strings.Join(parts, ", ")
}

func formatValue(v any) string {
	if f, ok := toFloat64(v); ok {
		return formatNumber(f)
	}
	return fmt.Sprint(v)
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func validateList(f Field, v any, op Op) (any, any) {
	items, ok := toSlice(v)
	if !ok {
		return nil, msgExpected(f.typ)
	}
	out := make([]any, 0, len(items))
	errs := IndexErrors{}
	for i, item := range items {
		if item == nil {
			errs[i+1] = msgRequired
			continue
		}
		cv, ferr := validateValue(*f.elements, item, op)
		if ferr != nil {
			errs[i+1] = ferr
			continue
		}
		if f.typ == Set && containsValue(out, cv) {
			continue
		}
		out = append(out, cv)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if f.lenMin != nil && len(out) < *f.lenMin {
		return nil, "length must be at least " + strconv.Itoa(*f.lenMin)
	}
	if f.lenMax != nil && len(out) > *f.lenMax {
		return nil, "length must be at most " + strconv.Itoa(*f.lenMax)
	}
	return out, runFieldCustom(f, out)
}

func containsValue(list []any, v any) bool {
	for _, x := range list {
		if Equal(x, v) {
			return true
		}
	}
	return false
}

func validateMap(f Field, v any, op Op) (any, any) {
	m, ok := toMap(v)
	if !ok {
		return nil, msgExpected(Map)
	}
	out := make(map[string]any, len(m))
	errs := Errors{}
	for k, item := range m {
		if f.keys != nil {
			if _, kerr := validateValue(*f.keys, k, op); kerr != nil {
				errs[k] = kerr
				continue
			}
		}
		if item == nil {
			errs[k] = msgRequired
			continue
		}
		cv, ferr := validateValue(*f.values, item, op)
		if ferr != nil {
			errs[k] = ferr
			continue
		}
		out[k] = cv
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, runFieldCustom(f, out)
}

func validateForeign(v any) (any, any) {
	m, ok := toMap(v)
	if !ok {
		return nil, msgExpected(Foreign)
	}
	// Kong checks only the primary key (validate_primary_key(value, true)
	// ignores other fields): clients send whole entities ({"service":
	// {"id": ..., "name": ..., "host": ...}}) and only the id is kept.
	errs := Errors{}
	id, present := m["id"]
	switch s, isStr := id.(string); {
	case !present || id == nil:
		errs["id"] = msgRequired
	case !isStr:
		errs["id"] = msgExpected(String)
	case !IsUUID(s):
		errs["id"] = msgInvalidUUID
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return map[string]any{"id": strings.ToLower(m["id"].(string))}, nil
}

// IsUUID reports whether s is a UUID in Kong's sense (36 characters, hex
// groups 8-4-4-4-12, any case).
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// cloneValue deep-copies defaults so entities never share mutable values.
func cloneValue(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = cloneValue(x[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, y := range x {
			out[k] = cloneValue(y)
		}
		return out
	}
	return v
}

// Clone deep-copies a value of the JSON data model.
func Clone(v any) any { return cloneValue(v) }
