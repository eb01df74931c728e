package requesttransformer

import (
	"errors"
	"strings"

	"github.com/silverback-gw/silverback/internal/plugin"
)

// errHostValues is the failure of a Host header given an array of values
// (an append, or a rename of a repeated header), which Kong cannot set
// either.
var errHostValues = errors.New("[request-transformer] the Host header cannot have several values")

// headerTable is the Lua table of request headers Kong's transform_headers
// works on: lower-case names, Host left out, values a string or an []any
// of strings; a name missing as is is looked up in lower case with "_"
// for "-".
type headerTable struct {
	values  map[string]any
	touched []string // names assigned, in order
}

func (t *headerTable) get(name string) any {
	if v, ok := t.values[name]; ok {
		return v
	}
	return t.values[normalizeHeader(name)]
}

func (t *headerTable) set(name string, v any) {
	if v == nil {
		delete(t.values, name)
		return
	}
	t.values[name] = v
	t.touched = append(t.touched, name)
}

// rename is Kong's rename: the value found under old moves to new.
func (t *headerTable) rename(old, new string) bool {
	if old == new {
		return false
	}
	v := t.get(old)
	if v == nil {
		return false
	}
	delete(t.values, old)
	t.set(new, v)
	return true
}

// luaValue is an entry's value as the table holds it: nil for none.
func luaValue(v string, has bool) any {
	if !has {
		return nil
	}
	return v
}

// transformHeaders applies the header entries: remove, rename (the case
// of a name may change), replace if present (Host always), add if absent
// (never Host), append; then clears the removed headers and sets the
// assigned ones.
func (h *handler) transformHeaders(kong *plugin.PDK, env *env) error {
	if h.headers.empty() {
		return nil
	}
	t := &headerTable{values: requestHeaders(kong)}
	var removed []string
	for i := range h.headers.remove {
		e := &h.headers.remove[i]
		if _, _, err := e.render(env); err != nil {
			return err
		}
		if name := strings.ToLower(e.name); t.get(name) != nil {
			delete(t.values, name)
			removed = append(removed, name)
		}
	}
	for i := range h.headers.rename {
		e := &h.headers.rename[i]
		to, _, err := e.render(env)
		if err != nil {
			return err
		}
		from := e.name
		if !strings.EqualFold(from, to) {
			from, to = strings.ToLower(from), strings.ToLower(to)
		}
		if t.rename(from, to) {
			removed = append(removed, e.name)
		}
	}
	for i := range h.headers.replace {
		e := &h.headers.replace[i]
		v, has, err := e.render(env)
		if err != nil {
			return err
		}
		if name := strings.ToLower(e.name); t.get(name) != nil || name == "host" {
			t.set(name, luaValue(v, has))
		}
	}
	for i := range h.headers.add {
		e := &h.headers.add[i]
		v, has, err := e.render(env)
		if err != nil {
			return err
		}
		if t.get(e.name) == nil && !strings.EqualFold(e.name, "host") {
			t.set(e.name, luaValue(v, has))
		}
	}
	for i := range h.headers.append {
		e := &h.headers.append[i]
		v, has, err := e.render(env)
		if err != nil {
			return err
		}
		name, lower := e.name, strings.ToLower(e.name)
		if lower != "host" && name != lower && t.get(name) != nil {
			// keep the value under the configured case
			t.values[name] = t.get(name)
			delete(t.values, lower)
		}
		t.set(name, appendValue(t.get(name), luaValue(v, has)))
	}
	return t.apply(kong, removed)
}

// apply clears the removed headers, then sets the assigned ones; an
// empty value is not sent (ngx.req.set_header removes the header).
func (t *headerTable) apply(kong *plugin.PDK, removed []string) error {
	for _, name := range removed {
		kong.ServiceRequest.ClearHeader(name)
	}
	done := map[string]bool{}
	for _, name := range t.touched {
		v, ok := t.values[name]
		if !ok || done[name] {
			continue
		}
		done[name] = true
		values, isList := v.([]any)
		if !isList {
			values = []any{v}
		}
		if strings.EqualFold(name, "host") {
			if isList {
				return errHostValues
			}
			if s := v.(string); s != "" {
				kong.ServiceRequest.SetHeader("Host", s)
			}
			continue
		}
		kong.ServiceRequest.ClearHeader(name)
		for _, v := range values {
			if s := v.(string); s != "" {
				kong.ServiceRequest.AddHeader(name, s)
			}
		}
	}
	return nil
}
