package plugin

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/silverback-gw/silverback/internal/schema"
)

// Definition describes one plugin.
type Definition struct {
	// Name is Kong's plugin name ("key-auth").
	Name string
	// Priority orders plugins in every phase, highest first (Kong's numbers).
	Priority int
	// Version is reported by GET / under plugins.available_on_server.
	Version string
	// Schema is the plugin's subschema of the plugins entity: its config
	// record and any protocols or scope restrictions.
	Schema *schema.Subschema
	// New builds a handler for one plugin instance from its config, which
	// the schema validated and completed with defaults. Constructor makes
	// one from a function taking a typed config. A plugin without New is
	// configurable but never runs.
	New func(config map[string]any) (Handler, error)
	// Entities are the entities the plugin brings (its credentials, Kong's
	// daos.lua): once the plugin is loaded they join the catalog, hence
	// the Admin API, the declarative format and the stores.
	Entities []*schema.Entity
}

// Constructor adapts a constructor taking a typed config C to
// Definition.New: the config is decoded into C through its json tags.
func Constructor[C any](f func(C) (Handler, error)) func(map[string]any) (Handler, error) {
	return func(config map[string]any) (Handler, error) {
		var c C
		b, err := json.Marshal(config)
		if err == nil {
			err = json.Unmarshal(b, &c)
		}
		if err != nil {
			return nil, fmt.Errorf("decode config: %w", err)
		}
		return f(c)
	}
}

var (
	mu      sync.RWMutex
	bundled = map[string]*Definition{}
)

// Register adds a bundled plugin; it panics on a duplicate name or a
// definition without schema, as these are programming errors.
func Register(d Definition) {
	mu.Lock()
	defer mu.Unlock()
	if d.Name == "" || d.Schema == nil {
		panic("plugin: Register needs a name and a schema")
	}
	if _, dup := bundled[d.Name]; dup {
		panic(fmt.Sprintf("plugin: %q registered twice", d.Name))
	}
	bundled[d.Name] = &d
}

// Set is the plugins loaded on a node. It implements
// schema.SubschemaSource for the plugins entity.
type Set struct {
	byName map[string]*Definition
}

// Load returns the set named by the `plugins` property: "bundled" stands
// for every registered plugin, "off" for none, other entries are names.
func Load(names []string) (*Set, error) {
	mu.RLock()
	defer mu.RUnlock()
	s := &Set{byName: map[string]*Definition{}}
	for _, n := range names {
		switch n {
		case "off":
			continue
		case "bundled":
			for name, d := range bundled {
				s.byName[name] = d
			}
		default:
			d, ok := bundled[n]
			if !ok {
				return nil, fmt.Errorf("%s plugin is enabled but not installed", n)
			}
			s.byName[n] = d
		}
	}
	return s, nil
}

// Subschema returns the loaded plugin's schema.
func (s *Set) Subschema(name string) (*schema.Subschema, bool) {
	d, ok := s.byName[name]
	if !ok {
		return nil, false
	}
	return d.Schema, true
}

// Get returns a loaded plugin's definition.
func (s *Set) Get(name string) (*Definition, bool) {
	d, ok := s.byName[name]
	return d, ok
}

// Names returns the loaded plugins' names, sorted.
func (s *Set) Names() []string {
	out := make([]string, 0, len(s.byName))
	for n := range s.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Entities returns the entities of the loaded plugins, by plugin name then
// in declaration order; an entity two plugins share appears once.
func (s *Set) Entities() []*schema.Entity {
	var out []*schema.Entity
	seen := map[string]bool{}
	for _, n := range s.Names() {
		for _, e := range s.byName[n].Entities {
			if !seen[e.Name] {
				seen[e.Name] = true
				out = append(out, e)
			}
		}
	}
	return out
}
