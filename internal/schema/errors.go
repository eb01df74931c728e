package schema

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// EntityKey is the key under which entity-level check messages are reported.
const EntityKey = "@entity"

// Errors is a validation error tree, shaped as Kong's: a field's value is its
// message (string), a nested Errors (records, maps, foreign keys), or an
// IndexErrors (array and set elements). Entity check messages are a []string
// under EntityKey.
type Errors map[string]any

// IndexErrors holds the errors of array elements by 1-based index.
type IndexErrors map[int]any

// ValidationError is returned by Entity.Validate: Kong's "schema violation".
type ValidationError struct {
	Fields Errors
}

// Error renders Kong's message: "schema violation (host: required field
// missing)" or "2 schema violations (a: ...; b: ...)".
func (e *ValidationError) Error() string {
	msgs := e.Fields.Messages()
	if len(msgs) == 1 {
		return "schema violation (" + msgs[0] + ")"
	}
	return strconv.Itoa(len(msgs)) + " schema violations (" + strings.Join(msgs, "; ") + ")"
}

// Messages flattens the tree as Kong's errors.lua does: entity messages first,
// then every field sorted by name, nested fields joined with ".".
func (errs Errors) Messages() []string {
	var out []string
	if ms, ok := errs[EntityKey].([]string); ok {
		out = append(out, ms...)
	}
	keys := make([]string, 0, len(errs))
	for k := range errs {
		if k != EntityKey {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = appendMessages(out, k, errs[k])
	}
	return out
}

func appendMessages(out []string, prefix string, v any) []string {
	switch e := v.(type) {
	case string:
		return append(out, prefix+": "+e)
	case []string:
		for _, m := range e {
			out = append(out, prefix+": "+m)
		}
		return out
	case Errors:
		if ms, ok := e[EntityKey].([]string); ok {
			for _, m := range ms {
				out = append(out, prefix+": "+m)
			}
		}
		keys := make([]string, 0, len(e))
		for k := range e {
			if k != EntityKey {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = appendMessages(out, prefix+"."+k, e[k])
		}
		return out
	case IndexErrors:
		idx := make([]int, 0, len(e))
		for i := range e {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		for _, i := range idx {
			out = appendMessages(out, prefix+"."+strconv.Itoa(i), e[i])
		}
		return out
	}
	return append(out, fmt.Sprintf("%s: %v", prefix, v))
}

// JSON returns the tree in the shape Kong's Admin API encodes: element errors
// become arrays padded with null (as cjson encodes a sparse Lua array), or an
// object keyed by index when the array would be too sparse.
func (errs Errors) JSON() map[string]any {
	out := make(map[string]any, len(errs))
	for k, v := range errs {
		out[k] = errorJSON(v)
	}
	return out
}

func errorJSON(v any) any {
	switch e := v.(type) {
	case Errors:
		return e.JSON()
	case IndexErrors:
		maxIdx := 0
		for i := range e {
			maxIdx = max(maxIdx, i)
		}
		if maxIdx > 10 && maxIdx > 2*len(e) {
			obj := make(map[string]any, len(e))
			for i, x := range e {
				obj[strconv.Itoa(i)] = errorJSON(x)
			}
			return obj
		}
		arr := make([]any, maxIdx)
		for i, x := range e {
			arr[i-1] = errorJSON(x)
		}
		return arr
	}
	return v
}

// addEntityError appends an entity-level message.
func (errs Errors) addEntityError(msg string) {
	ms, _ := errs[EntityKey].([]string)
	errs[EntityKey] = append(ms, msg)
}

// Common field messages, byte-identical to Kong's.
const (
	msgRequired    = "required field missing"
	msgUnknown     = "unknown field"
	msgMustBeNull  = "value must be null"
	msgInvalidUUID = "expected a valid UUID"
)

func msgExpected(t Type) string {
	switch t {
	case Integer:
		return "expected an integer"
	case Array:
		return "expected an array"
	case Foreign:
		return "expected a record"
	}
	return "expected a " + t.String()
}
