package conf

import "strings"

// Type is how a property's text is interpreted, as in Kong's
// kong/conf_loader/constants.lua CONF_PARSERS.
type Type uint8

// The property types. A property without a type in Kong's table is a String.
const (
	// String keeps the trimmed text; an empty value leaves the property unset.
	String Type = iota
	// Number is a Lua number (integer, decimal, exponent or 0x hex); empty is unset.
	Number
	// Boolean is true for "on" and "true" and false for anything else,
	// including an empty value.
	Boolean
	// NgxBoolean is the text "on" for "on" and "off" for anything else.
	NgxBoolean
	// Array is a comma-separated list with every element trimmed; an empty
	// value is the empty list.
	Array
)

// String returns the name Kong uses for the type in its error messages.
func (t Type) String() string {
	switch t {
	case Number:
		return "number"
	case Boolean:
		return "boolean"
	case NgxBoolean:
		return "ngx_boolean"
	case Array:
		return "array"
	default:
		return "string"
	}
}

// none is the default text that leaves a property unset (kong_defaults.lua).
const none = "NONE"

// Property describes one kong.conf property. The table of them, properties
// in defaults.go, is the single source for parsing, validation, the typed
// Config, the Admin API view and .kong_env.
type Property struct {
	Name string
	Type Type
	// Default is the text from Kong's kong_defaults.lua ("NONE": unset),
	// except database, whose Silverback default is sqlite.
	Default string
	// Enum, when not nil, lists the accepted values.
	Enum []string
	// Sensitive values are shown as "******" (Kong's CONF_SENSITIVE).
	Sensitive bool
	// Alias names the property this one is an older spelling of: a value the
	// user sets here also sets Alias unless the user set Alias too.
	Alias string
	// Deprecated, when set, is the warning printed when the user sets the property.
	Deprecated string
	// Directives are nginx_* keys that inherit this property's value unless
	// the user sets them (Kong's "directives", e.g. ssl_protocols).
	Directives []string
}

// dynamicPrefixes are the key prefixes Kong accepts without declaring each
// key (DYNAMIC_KEY_NAMESPACES): nginx directives injected into nginx.conf,
// plugin servers and vault settings. Their values are free-form strings.
var dynamicPrefixes = []string{
	"nginx_main_", "nginx_events_", "nginx_http_", "nginx_upstream_",
	"nginx_proxy_", "nginx_location_", "nginx_status_", "nginx_admin_",
	"nginx_stream_", "nginx_supstream_", "nginx_sproxy_", "pluginserver_",
	"vault_", "nginx_wasm_",
}

// byName indexes properties by name.
var byName = func() map[string]*Property {
	m := make(map[string]*Property, len(properties))
	for i := range properties {
		m[properties[i].Name] = &properties[i]
	}
	return m
}()

// Properties returns the declarations of every property, in Kong's order.
func Properties() []Property {
	return append([]Property(nil), properties...)
}

// isDynamic reports whether key is accepted through a dynamic prefix: it
// starts with one and has at least one more character.
func isDynamic(key string) bool {
	for _, p := range dynamicPrefixes {
		if len(key) > len(p) && strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// known reports whether key is a property or a dynamic key.
func known(key string) bool {
	_, ok := byName[key]
	return ok || isDynamic(key)
}

// typeOf returns the type of a key; dynamic keys are strings.
func typeOf(key string) Type {
	if p, ok := byName[key]; ok {
		return p.Type
	}
	return String
}

// sensitive reports whether a key's value must be masked.
func sensitive(key string) bool {
	p, ok := byName[key]
	return ok && p.Sensitive
}
