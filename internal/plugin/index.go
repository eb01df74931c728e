package plugin

import (
	"cmp"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/silverback-gw/silverback/internal/entities"
)

// Instance is one configured plugin instance with its handler.
type Instance struct {
	ID, Name string
	Priority int
	// RouteID, ServiceID and ConsumerID are its scope ("" for none).
	RouteID, ServiceID, ConsumerID string
	// Handler is what the plugin's constructor built from the config.
	Handler Handler

	log          *slog.Logger
	rewrite      RewriteHandler
	access       AccessHandler
	headerFilter HeaderFilterHandler
	bodyFilter   BodyFilterHandler
	logger       LogHandler
}

// Index is the plugin instances of one runtime snapshot, ready for
// requests: built by Runtime.Compile, never modified.
type Index struct {
	// plugins has one entry per plugin name with an instance, in
	// execution order: priority descending, then name descending.
	plugins []*entry
	// globals are the global instances, in the same order.
	globals []*Instance
}

// Scope bits: which of route, service and consumer an instance names.
const (
	bitRoute = 1 << iota
	bitService
	bitConsumer
)

// precedence lists the scope combinations from the most specific to the
// global one (Kong's runloop/plugins_iterator.lua lookup_cfg).
var precedence = [...]uint8{
	bitRoute | bitService | bitConsumer,
	bitRoute | bitConsumer,
	bitService | bitConsumer,
	bitRoute | bitService,
	bitConsumer,
	bitRoute,
	bitService,
	0,
}

type scopeKey struct{ route, service, consumer string }

// entry is one plugin's instances by scope.
type entry struct {
	name     string
	priority int
	// present has bit 1<<combination set for each scope combination that
	// has an instance, so a lookup skips the others.
	present uint8
	byScope map[scopeKey]*Instance
}

// lookup returns the instance that applies to a request on route,
// service and consumer ("" when unknown), nil when none does.
func (e *entry) lookup(route, service, consumer string) *Instance {
	for _, c := range precedence {
		if e.present&(1<<c) == 0 ||
			c&bitRoute != 0 && route == "" ||
			c&bitService != 0 && service == "" ||
			c&bitConsumer != 0 && consumer == "" {
			continue
		}
		var k scopeKey
		if c&bitRoute != 0 {
			k.route = route
		}
		if c&bitService != 0 {
			k.service = service
		}
		if c&bitConsumer != 0 {
			k.consumer = consumer
		}
		if inst := e.byScope[k]; inst != nil {
			return inst
		}
	}
	return nil
}

func (inst *Instance) scope() uint8 {
	var c uint8
	if inst.RouteID != "" {
		c |= bitRoute
	}
	if inst.ServiceID != "" {
		c |= bitService
	}
	if inst.ConsumerID != "" {
		c |= bitConsumer
	}
	return c
}

// byOrder sorts by priority descending, then name descending (Kong).
func byOrder(pa int, na string, pb int, nb string) int {
	if c := cmp.Compare(pb, pa); c != 0 {
		return c
	}
	return strings.Compare(nb, na)
}

// newIndex groups instances by plugin and orders them.
func newIndex(instances []*Instance) *Index {
	idx := &Index{}
	byName := map[string]*entry{}
	for _, inst := range instances {
		e := byName[inst.Name]
		if e == nil {
			e = &entry{name: inst.Name, priority: inst.Priority, byScope: map[scopeKey]*Instance{}}
			byName[inst.Name] = e
			idx.plugins = append(idx.plugins, e)
		}
		c := inst.scope()
		e.present |= 1 << c
		e.byScope[scopeKey{inst.RouteID, inst.ServiceID, inst.ConsumerID}] = inst
		if c == 0 {
			idx.globals = append(idx.globals, inst)
		}
	}
	slices.SortFunc(idx.plugins, func(a, b *entry) int { return byOrder(a.priority, a.name, b.priority, b.name) })
	slices.SortFunc(idx.globals, func(a, b *Instance) int { return byOrder(a.Priority, a.Name, b.Priority, b.Name) })
	return idx
}

// httpProtocols are the protocols of the HTTP subsystem: an instance none
// of whose protocols is one of them never runs on the proxy.
var httpProtocols = []string{"http", "https", "grpc", "grpcs"}

func servesHTTP(protocols []string) bool {
	if protocols == nil {
		return true // the default covers HTTP
	}
	for _, p := range protocols {
		if slices.Contains(httpProtocols, p) {
			return true
		}
	}
	return false
}

// Compile builds the Index of a snapshot's plugin instances; it
// implements runtime.PluginCompiler. Disabled instances, instances for
// other subsystems and plugins not loaded on this node are left out; an
// instance whose handler cannot be built is logged and left out. Handlers
// of rows unchanged since the previous build are reused.
func (r *Runtime) Compile(plugins []*entities.Plugin) any {
	cache := make(map[*entities.Plugin]*Instance, len(plugins))
	instances := make([]*Instance, 0, len(plugins))
	for _, p := range plugins {
		if !p.Enabled || !servesHTTP(p.Protocols) {
			continue
		}
		inst := r.built[p]
		if inst == nil {
			var err error
			if inst, err = r.build(p); err != nil {
				r.log.Error("plugin instance left out: its handler could not be built",
					"plugin", p.Name, "id", p.ID, "error", err)
				continue
			}
		}
		if inst != nil {
			cache[p] = inst
			instances = append(instances, inst)
		}
	}
	r.built = cache
	return newIndex(instances)
}

// build constructs an instance's handler; nil without error when the
// plugin is not loaded here or has no handler.
func (r *Runtime) build(p *entities.Plugin) (inst *Instance, err error) {
	def, ok := r.set.Get(p.Name)
	if !ok || def.New == nil {
		return nil, nil
	}
	defer func() {
		if v := recover(); v != nil {
			inst, err = nil, fmt.Errorf("constructor panicked: %v", v)
		}
	}()
	h, err := def.New(p.Config)
	if err != nil {
		return nil, err
	}
	inst = &Instance{
		ID: p.ID, Name: p.Name, Priority: def.Priority,
		RouteID: p.RouteID, ServiceID: p.ServiceID, ConsumerID: p.ConsumerID,
		Handler: h,
		log:     r.log.With("plugin", p.Name),
	}
	inst.rewrite, _ = h.(RewriteHandler)
	inst.access, _ = h.(AccessHandler)
	inst.headerFilter, _ = h.(HeaderFilterHandler)
	inst.bodyFilter, _ = h.(BodyFilterHandler)
	inst.logger, _ = h.(LogHandler)
	return inst, nil
}
