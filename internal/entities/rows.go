package entities

// Readers of validated rows (the JSON data model of package schema).

func str(r map[string]any, k string) string {
	s, _ := r[k].(string)
	return s
}

func integer(r map[string]any, k string) int {
	switch n := r[k].(type) {
	case int64:
		return int(n)
	case float64:
		return int(n)
	case int:
		return n
	}
	return 0
}

func boolean(r map[string]any, k string) bool {
	b, _ := r[k].(bool)
	return b
}

func optBool(r map[string]any, k string) *bool {
	b, ok := r[k].(bool)
	if !ok {
		return nil
	}
	return &b
}

func optInt(r map[string]any, k string) *int {
	if r[k] == nil {
		return nil
	}
	n := integer(r, k)
	return &n
}

func strs(r map[string]any, k string) []string {
	items, _ := r[k].([]any)
	if len(items) == 0 {
		return nil
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func foreignID(r map[string]any, k string) string {
	m, _ := r[k].(map[string]any)
	id, _ := m["id"].(string)
	return id
}

// ForeignID returns the id of a foreign field of a row, "" when null.
func ForeignID(r map[string]any, field string) string { return foreignID(r, field) }
