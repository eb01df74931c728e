package conf

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
)

// defaultPaths are read, first found wins, when Load is given no path
// (Kong's DEFAULT_PATHS).
var defaultPaths = []string{"/etc/kong/kong.conf", "/etc/kong.conf"}

// Load reads the configuration: built-in defaults, overridden by the file at
// path, overridden by KONG_<PROPERTY> variables in environ ("NAME=value"
// entries, as os.Environ returns). An empty path means the first existing
// of /etc/kong/kong.conf and /etc/kong.conf, or defaults only. A path that
// does not exist is the error "no file at: <path>" (matching fs.ErrNotExist).
// An invalid configuration returns Errors listing every problem.
func Load(path string, environ []string) (*Config, error) {
	return LoadOverrides(path, environ, nil)
}

// LoadOverrides is Load with overrides taking precedence over the file and
// the environment, as the CLI's --prefix does (Kong's custom_conf).
func LoadOverrides(path string, environ []string, overrides map[string]string) (*Config, error) {
	file, used, err := readConfigFile(path)
	if err != nil {
		return nil, err
	}
	c, err := load(sources{file: file, environ: environ, overrides: overrides})
	if c != nil {
		c.Path = used
	}
	return c, err
}

// readConfigFile reads path, or the first default path that exists.
func readConfigFile(path string) (File, string, error) {
	if path == "" {
		for _, p := range defaultPaths {
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
		if path == "" {
			return nil, "", nil
		}
	} else if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, "", &noFileError{path: path}
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("could not load config file: %w", err)
	}
	defer fh.Close()
	f, err := Parse(fh)
	if err != nil {
		return nil, "", fmt.Errorf("could not load config file: %w", err)
	}
	return f, path, nil
}

// sources are the layers of a configuration, lowest precedence first after
// the built-in defaults.
type sources struct {
	file      File
	environ   []string
	overrides map[string]string
	// fromEnvFile marks a reload of <prefix>/.kong_env: its values are
	// escaped (see escapeEnvValue) and deprecations were already reported
	// when it was written.
	fromEnvFile bool
}

// load merges the layers, types every value, validates and builds Config.
func load(src sources) (*Config, error) {
	user, unknown := src.userValues()
	var warnings []string
	if !src.fromEnvFile {
		warnings = deprecations(user)
	}

	raw := defaultValues()
	maps.Copy(raw, user)

	values := make(props, len(raw))
	var errs Errors
	for _, key := range orderedKeys(raw) {
		v, ok, warn, err := typed(key, raw[key])
		switch {
		case err != nil:
			errs = append(errs, err)
		case ok && src.fromEnvFile:
			values[key] = unescapeTyped(v)
		case ok:
			values[key] = v
		}
		if warn != "" {
			warnings = append(warnings, warn)
		}
	}
	checkEnums(values, &errs)

	v := &validator{props: values}
	v.validate()
	errs = append(errs, v.errs...)
	warnings = append(warnings, v.warnings...)

	c, buildErrs := newConfig(values)
	errs = append(errs, buildErrs...)
	if len(errs) > 0 {
		return nil, errs
	}
	c.Unknown = unknown
	c.Warnings = warnings
	return c, nil
}

// userValues merges what the user set: file < environment < overrides,
// then applies aliases and directives the way Kong's conf_loader does.
// Keys of the file that name no property are returned, sorted.
func (src sources) userValues() (map[string]string, []string) {
	var unknown []string
	for k := range src.file {
		if !known(k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)

	user := layer(src.file)
	maps.Copy(user, envValues(src.environ))
	maps.Copy(user, layer(src.overrides))

	for _, p := range properties {
		if v, ok := user[p.Name]; ok && p.Alias != "" {
			if _, set := user[p.Alias]; !set {
				user[p.Alias] = v
			}
		}
	}
	for _, p := range properties {
		if v, ok := user[p.Name]; ok {
			for _, d := range p.Directives {
				if _, set := user[d]; !set {
					user[d] = v
				}
			}
		}
	}
	return user, unknown
}

// layer keeps the known keys of one source; within it a property with
// directives overrides them (Kong's add_dynamic_keys).
func layer(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if known(k) {
			out[k] = v
		}
	}
	for _, p := range properties {
		if v, ok := out[p.Name]; ok {
			for _, d := range p.Directives {
				out[d] = v
			}
		}
	}
	return out
}

// envValues returns the KONG_<PROPERTY> variables of environ by property
// name. Only upper-case variable names count (Kong looks up
// "KONG_" .. upper(name)); variables naming no property or dynamic key, like
// KONG_ADMIN_URL used by clients, are ignored, and so are names with
// characters a kong.conf key cannot hold. The first of duplicates wins, as
// with getenv.
func envValues(environ []string) map[string]string {
	out := map[string]string{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, "KONG_") || name != strings.ToUpper(name) {
			continue
		}
		key := strings.ToLower(name[len("KONG_"):])
		if _, dup := out[key]; dup || !known(key) || variabilize(key) != key {
			continue
		}
		out[key] = value
	}
	return out
}

// defaultValues returns the built-in defaults as raw text ("NONE" becomes
// empty), with directives taking their property's default.
func defaultValues() map[string]string {
	m := make(map[string]string, len(properties)+4)
	for _, p := range properties {
		if p.Default != none {
			m[p.Name] = p.Default
		} else {
			m[p.Name] = ""
		}
	}
	for _, p := range properties {
		for _, d := range p.Directives {
			m[d] = m[p.Name]
		}
	}
	return m
}

// deprecations returns Kong's warnings for deprecated properties and values
// the user set.
func deprecations(user map[string]string) []string {
	var out []string
	for _, p := range properties {
		if _, ok := user[p.Name]; ok && p.Deprecated != "" {
			out = append(out, p.Deprecated)
		}
	}
	if strings.Trim(user["worker_consistency"], luaSpace) == "strict" {
		out = append(out, "the configuration value 'strict' for configuration property 'worker_consistency' is deprecated")
	}
	if strings.Trim(user["node_id"], luaSpace) != "" {
		out = append(out, "Manually specifying a `node_id` via configuration is deprecated as of 3.9 and will be removed in the 4.x.")
	}
	return out
}

// orderedKeys lists declared properties in table order, then dynamic keys sorted.
func orderedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for _, p := range properties {
		if _, ok := m[p.Name]; ok {
			keys = append(keys, p.Name)
		}
	}
	var dynamic []string
	for k := range m {
		if _, declared := byName[k]; !declared {
			dynamic = append(dynamic, k)
		}
	}
	slices.Sort(dynamic)
	return append(keys, dynamic...)
}

// checkEnums reports values outside a property's enum; an unset enum
// property prints as 'nil', like Kong.
func checkEnums(values props, errs *Errors) {
	for _, p := range properties {
		if p.Enum == nil {
			continue
		}
		v, ok := values[p.Name]
		s, _ := v.(string)
		if !ok {
			s = "nil"
		}
		if !ok || !slices.Contains(p.Enum, s) {
			errs.add(p.Name, "%s has an invalid value: '%s' (%s)", p.Name, s, strings.Join(p.Enum, ", "))
		}
	}
}
