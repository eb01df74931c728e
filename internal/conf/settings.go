package conf

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
)

// Masked replaces the value of a sensitive property in what is shown
// (Kong's CONF_SENSITIVE_PLACEHOLDER).
const Masked = "******"

// Property returns a property's value as Kong types it, for display: a
// string, a float64 (Number), a bool (Boolean) or a []string (Array; Kong's
// JSON encoder renders an empty one as {}). Sensitive properties that are
// set read Masked. ok is false for an unset property or an unknown name.
// Dynamic nginx_* keys that were set are properties too.
func (c *Config) Property(name string) (value any, ok bool) {
	v, ok := c.values[name]
	if !ok {
		return nil, false
	}
	if sensitive(name) {
		return Masked, true
	}
	if l, isList := v.([]string); isList {
		return slices.Clone(l), true
	}
	return v, true
}

// Setting is one property and its display value.
type Setting struct {
	Name  string
	Value any
}

// Settings is every set property sorted by name, as Property shows it:
// the Admin API's GET / "configuration" object.
type Settings []Setting

// Settings returns every set property, sorted by name, sensitive values masked.
func (c *Config) Settings() Settings {
	names := make([]string, 0, len(c.values))
	for k := range c.values {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make(Settings, len(names))
	for i, n := range names {
		v, _ := c.Property(n)
		out[i] = Setting{Name: n, Value: v}
	}
	return out
}

// MarshalJSON encodes the settings as one JSON object, keys in order.
func (s Settings) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, st := range s {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := json.Marshal(st.Name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(st.Value)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// LoadedPlugins expands the plugins property into plugin names: "bundled"
// stands for the names in bundled, "off" as the first entry means none
// (elsewhere it is ignored). Duplicates are dropped; order is kept.
func (c *Config) LoadedPlugins(bundled []string) []string {
	if len(c.Plugins) == 0 || c.Plugins[0] == "off" {
		return []string{}
	}
	var out []string
	add := func(name string) {
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	for _, p := range c.Plugins {
		switch p {
		case "off":
		case "bundled":
			for _, b := range bundled {
				add(b)
			}
		default:
			add(p)
		}
	}
	return out
}
