package schema

// JSON renders the entity in Kong's /schemas shape:
// {"fields":[{"<name>":{<definition>}},...],"entity_checks":[...]}.
func (e *Entity) JSON() map[string]any {
	return map[string]any{
		"fields":        FieldsJSON(e.Fields),
		"entity_checks": ChecksJSON(e.Checks),
	}
}

// SubschemaJSON renders a subschema's own fields (Kong's
// /schemas/plugins/{name}).
func SubschemaJSON(sub *Subschema) map[string]any {
	return map[string]any{
		"fields":        FieldsJSON(sub.Fields),
		"entity_checks": ChecksJSON(sub.Checks),
	}
}

// ChecksJSON renders entity checks.
func ChecksJSON(checks []Check) []any {
	out := make([]any, 0, len(checks))
	for _, c := range checks {
		out = append(out, c.JSON)
	}
	return out
}

// FieldsJSON renders fields as Kong's ordered list of one-key objects.
func FieldsJSON(fields []Field) []any {
	out := make([]any, 0, len(fields))
	for _, f := range fields {
		out = append(out, map[string]any{f.name: fieldJSON(f)})
	}
	return out
}

func fieldJSON(f Field) map[string]any {
	d := map[string]any{"type": f.typ.String()}
	set := func(cond bool, k string, v any) {
		if cond {
			d[k] = v
		}
	}
	set(f.required, "required", true)
	set(f.hasDefault, "default", f.def)
	set(f.auto, "auto", true)
	set(f.unique, "unique", true)
	set(f.indexed, "indexed", true)
	set(f.immutable, "immutable", true)
	set(f.uuid, "uuid", true)
	set(f.timestamp, "timestamp", true)
	set(f.referenceable, "referenceable", true)
	set(f.description != "", "description", f.description)
	set(f.lenMin != nil, "len_min", derefInt(f.lenMin))
	set(f.lenMax != nil, "len_max", derefInt(f.lenMax))
	if f.between != nil {
		d["between"] = []any{f.between[0], f.between[1]}
	}
	set(len(f.oneOf) > 0, "one_of", f.oneOf)
	set(len(f.notOneOf) > 0, "not_one_of", f.notOneOf)
	set(f.match != nil && f.match.source != "", "match", patternSource(f.match))
	set(f.startsWith != "", "starts_with", f.startsWith)
	if f.elements != nil {
		d["elements"] = fieldJSON(*f.elements)
	}
	if f.keys != nil {
		d["keys"] = fieldJSON(*f.keys)
	}
	if f.values != nil {
		d["values"] = fieldJSON(*f.values)
	}
	if f.typ == Record {
		d["fields"] = FieldsJSON(f.fields)
		set(f.abstract, "abstract", true)
		set(len(f.shorthands) > 0, "shorthand_fields", FieldsJSON(f.shorthands))
	}
	if dep := f.deprecation; dep != nil {
		replaced := make([]any, len(dep.ReplacedWith))
		for i, path := range dep.ReplacedWith {
			replaced[i] = map[string]any{"path": path}
		}
		d["deprecation"] = map[string]any{"message": dep.Message, "removal_in_version": dep.RemovalInVersion,
			"replaced_with": replaced}
	}
	if f.typ == Foreign {
		d["reference"] = f.reference
		set(f.onDelete != "", "on_delete", f.onDelete)
	}
	set(f.transient, "transient", true)
	return d
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func patternSource(p *pattern) string {
	if p == nil {
		return ""
	}
	return p.source
}
