package admin

import (
	"math"
	"strconv"
	"strings"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/schema"
)

// inferEntity converts the string values of a decoded form to the types of
// e's fields, as Kong's arguments.infer does: numbers, booleans, one value
// for an array, "" for null, nested records, maps and foreign keys. For an
// entity with subschemas (plugins) the fields of the subschema selected by
// args (or by stored, for a PATCH that does not name it) apply. args is
// modified and returned.
func inferEntity(cat *entities.Catalog, e *schema.Entity, args, stored map[string]any) map[string]any {
	view := args
	if e.SubschemaKey != "" {
		if _, ok := args[e.SubschemaKey]; !ok && stored != nil {
			view = map[string]any{e.SubschemaKey: stored[e.SubschemaKey]}
		}
	}
	fields := e.FieldsFor(view)
	for _, sh := range e.Shorthands {
		fields = append(fields, sh.Field)
	}
	inferFields(cat, fields, args)
	if e.TTL {
		if s, ok := args["ttl"].(string); ok {
			if n, ok := luaToNumber(s); ok {
				args["ttl"] = n
			}
		}
	}
	return args
}

func inferFields(cat *entities.Catalog, fields []schema.Field, args map[string]any) {
	for _, f := range fields {
		if v, ok := args[f.Name()]; ok && v != nil {
			args[f.Name()] = inferValue(cat, v, f)
		}
	}
}

// inferValue converts one value for field f (Kong's infer_value).
func inferValue(cat *entities.Catalog, v any, f schema.Field) any {
	if s, ok := v.(string); ok && s == "" {
		return nil
	}
	switch f.Type() {
	case schema.Integer, schema.Number:
		if s, ok := v.(string); ok {
			if n, ok := luaToNumber(s); ok {
				return n
			}
		}
	case schema.Boolean:
		switch v {
		case "true":
			return true
		case "false":
			return false
		}
	case schema.Array, schema.Set:
		list, ok := v.([]any)
		if !ok {
			if _, isMap := v.(map[string]any); isMap {
				return v
			}
			list = []any{v}
		}
		if elem := f.Elem(); elem != nil {
			for i, item := range list {
				if item != nil {
					list[i] = inferValue(cat, item, *elem)
				}
			}
		}
		return list
	case schema.Foreign:
		if m, ok := v.(map[string]any); ok && cat != nil {
			if ref, found := cat.Get(f.Reference()); found {
				inferFields(cat, ref.Fields, m)
			}
		}
	case schema.Map:
		if m, ok := v.(map[string]any); ok && f.MapValue() != nil {
			for k, item := range m {
				if item != nil {
					m[k] = inferValue(cat, item, *f.MapValue())
				}
			}
		}
	case schema.Record:
		if m, ok := v.(map[string]any); ok {
			inferFields(cat, f.Fields(), m)
		}
	}
	return v
}

// luaToNumber parses a number as Lua's tonumber: surrounding spaces,
// decimal, exponent and hexadecimal forms. Integral values become int64.
func luaToNumber(s string) (any, bool) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, false
	}
	neg := false
	body := t
	if body[0] == '-' || body[0] == '+' {
		neg, body = body[0] == '-', body[1:]
	}
	if strings.HasPrefix(body, "0x") || strings.HasPrefix(body, "0X") {
		u, err := strconv.ParseUint(body[2:], 16, 63)
		if err != nil {
			return nil, false
		}
		if neg {
			return -int64(u), true
		}
		return int64(u), true
	}
	for _, r := range body {
		if !(r >= '0' && r <= '9' || r == '.' || r == 'e' || r == 'E' || r == '-' || r == '+') {
			return nil, false // no "inf", "nan", "_" separators
		}
	}
	if !strings.ContainsAny(body, ".eE") {
		if i, err := strconv.ParseInt(t, 10, 64); err == nil {
			return i, true
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, false
	}
	return f, true
}

// numberValue returns a number of the data model as float64.
func numberValue(n any) float64 {
	switch x := n.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}
