package runtime

import (
	"context"
	"errors"
	"fmt"
	"maps"
	goruntime "runtime"
	"slices"
	"strings"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/router"
	"github.com/silverback-gw/silverback/internal/store"
)

// model is the part of the configuration the runtime reads, as typed
// values by id. It is loaded from the store once and then kept current by
// the store's change events, so a change costs the conversion of the rows
// it touched plus the update of the snapshot parts they concern, not a
// re-read of every row nor a rebuild of every part.
// Only the Holder's build goroutine uses a model.
type model struct {
	services  map[string]*entities.Service
	routes    map[string]*entities.Route
	upstreams map[string]*entities.Upstream
	targets   map[string]*entities.Target
	plugins   map[string]*entities.Plugin
	tls       tlsModel

	changed changes // since the last snapshot
}

// changes is what changed in a model since its last snapshot.
type changes struct {
	all      bool                // everything: nothing of the last snapshot may be kept
	routes   map[string]struct{} // ids of routes set or deleted
	services map[string]struct{} // ids of services set or deleted
	// upstreams covers the upstreams and their targets, tls the
	// certificates, SNIs and CA certificates.
	upstreams, tls, plugins bool
}

// note records a change of the row id of table.
func (c *changes) note(table, id string) {
	switch table {
	case "routes":
		c.routes = addID(c.routes, id)
	case "services":
		c.services = addID(c.services, id)
	case "upstreams", "targets":
		c.upstreams = true
	case "plugins":
		c.plugins = true
	default:
		c.tls = true
	}
}

func addID(ids map[string]struct{}, id string) map[string]struct{} {
	if ids == nil {
		ids = map[string]struct{}{}
	}
	ids[id] = struct{}{}
	return ids
}

// tables are the store tables the model follows.
var tables = []string{"services", "routes", "upstreams", "targets", "plugins",
	"certificates", "snis", "ca_certificates"}

// loadModel reads the runtime's entities from db.
func loadModel(ctx context.Context, db *store.DB) (*model, error) {
	m := &model{
		services:  map[string]*entities.Service{},
		routes:    map[string]*entities.Route{},
		upstreams: map[string]*entities.Upstream{},
		targets:   map[string]*entities.Target{},
		plugins:   map[string]*entities.Plugin{},
		tls:       newTLSModel(),
		changed:   changes{all: true},
	}
	err := db.View(ctx, func(tx *store.Txn) error {
		for _, table := range tables {
			if err := tx.Each(ctx, table, store.Query{}, func(r store.Row) error {
				m.set(table, r)
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	return m, nil
}

// set stores the typed form of a row of table.
func (m *model) set(table string, r store.Row) {
	switch table {
	case "services":
		s := entities.ServiceFromRow(r)
		m.services[s.ID] = s
	case "routes":
		rt := entities.RouteFromRow(r)
		m.routes[rt.ID] = rt
	case "upstreams":
		u := entities.UpstreamFromRow(r)
		m.upstreams[u.ID] = u
		m.tls.setUpstreamCert(u.ID, entities.ForeignID(r, "client_certificate"))
	case "targets":
		t := entities.TargetFromRow(r)
		m.targets[t.ID] = t
	case "plugins":
		p := entities.PluginFromRow(r)
		m.plugins[p.ID] = p
	default:
		m.tls.set(table, r)
	}
}

// apply brings the model up to date with one committed change. It reports
// whether the change concerns the runtime.
func (m *model) apply(ev store.Event) bool {
	if !slices.Contains(tables, ev.Entity) {
		return false
	}
	switch ev.Op {
	case store.OpCreate, store.OpUpdate:
		m.set(ev.Entity, ev.New)
		id, _ := ev.New["id"].(string)
		m.changed.note(ev.Entity, id)
	case store.OpDelete:
		id, _ := ev.Old["id"].(string)
		m.remove(ev.Entity, id)
		m.changed.note(ev.Entity, id)
	case store.OpTruncate:
		m.clear(ev.Entity)
		m.changed.all = true
	}
	return true
}

func (m *model) remove(table, id string) {
	switch table {
	case "services":
		delete(m.services, id)
	case "routes":
		delete(m.routes, id)
	case "upstreams":
		delete(m.upstreams, id)
		delete(m.tls.upstreamCerts, id)
	case "targets":
		delete(m.targets, id)
	case "plugins":
		delete(m.plugins, id)
	default:
		m.tls.remove(table, id)
	}
}

func (m *model) clear(table string) {
	switch table {
	case "services":
		clear(m.services)
	case "routes":
		clear(m.routes)
	case "upstreams":
		clear(m.upstreams)
		clear(m.tls.upstreamCerts)
	case "targets":
		clear(m.targets)
	case "plugins":
		clear(m.plugins)
	default:
		m.tls.clear(table)
	}
}

// compile builds an immutable snapshot of the model and marks the model
// unchanged. The snapshot shares the model's typed values, which are never
// modified: an update replaces the value in the model's map. pc, when set,
// compiles the plugins. prev, when set, is the snapshot before: the new
// one shares its parts that no change concerns, and updates the others
// from prev's, so that a change of one route costs little more than that
// route's compilation.
func (m *model) compile(pc PluginCompiler, prev *Snapshot) *Snapshot {
	var s *Snapshot
	if prev == nil || m.changed.all {
		s = m.compileAll(pc, prev)
	} else {
		s = m.compileChanges(pc, prev)
	}
	s.Built = time.Now()
	s.RouteErrors = errors.Join(s.httpErr, s.streamErr)
	m.changed = changes{}
	return s
}

// compileAll builds every part of a snapshot, reusing the routes and
// bindings of prev (which may be nil) that are still the same.
func (m *model) compileAll(pc PluginCompiler, prev *Snapshot) *Snapshot {
	s := &Snapshot{
		Services:  maps.Clone(m.services),
		Upstreams: m.compileUpstreams(),
		TLS:       m.tls.compile(),
		bindings:  make(map[string]*Binding, len(m.routes)),
	}
	var prevRouter *router.Router
	var prevBindings map[string]*Binding
	if prev != nil {
		prevRouter, prevBindings = prev.Router, prev.bindings
	}
	routes := make([]router.Route, 0, len(m.routes))
	for id := range m.routes {
		if b := m.binding(id, prevBindings[id]); b != nil {
			s.bindings[id] = b
			routes = append(routes, routerRoute(b))
		}
	}
	// Like Kong, routes the router cannot compile are left out and
	// reported; the others are served.
	yield()
	s.Router, s.httpErr = router.NewFrom(prevRouter, routes)
	yield()
	s.StreamRouter, s.streamErr = router.NewStream(routes)
	if pc != nil {
		yield()
		s.Plugins = m.compilePlugins(pc)
	}
	return s
}

// compileChanges builds a snapshot from prev, updating the parts the
// model's changes concern and sharing the others.
func (m *model) compileChanges(pc PluginCompiler, prev *Snapshot) *Snapshot {
	s := *prev
	c := &m.changed
	if len(c.services) > 0 {
		s.Services = maps.Clone(prev.Services)
		for id := range c.services {
			if svc, ok := m.services[id]; ok {
				s.Services[id] = svc
			} else {
				delete(s.Services, id)
			}
		}
		for id, rt := range m.routes { // their bindings name the service
			if _, ok := c.services[rt.ServiceID]; ok {
				c.routes = addID(c.routes, id)
			}
		}
	}
	if len(c.routes) > 0 {
		yield()
		m.updateRoutes(&s, prev)
	}
	if c.upstreams {
		s.Upstreams = m.compileUpstreams()
	}
	if c.tls {
		s.TLS = m.tls.compile()
	}
	if c.plugins && pc != nil {
		s.Plugins = m.compilePlugins(pc)
	}
	return &s
}

// updateRoutes brings the bindings and routers of s, a copy of prev, up to
// date with the routes changed. The stream router is rebuilt only when a
// stream route is among them.
func (m *model) updateRoutes(s, prev *Snapshot) {
	s.bindings = maps.Clone(prev.bindings)
	var set []router.Route
	var remove []string
	stream := false
	for id := range m.changed.routes {
		old := prev.bindings[id]
		stream = stream || old != nil && isStream(old.Route)
		b := m.binding(id, old)
		if b == nil {
			delete(s.bindings, id)
			remove = append(remove, id)
			continue
		}
		s.bindings[id] = b
		set = append(set, routerRoute(b))
		stream = stream || isStream(b.Route)
	}
	yield() // cloning the bindings and the router's routes take the most time
	s.Router, s.httpErr = prev.Router.Update(set, remove)
	if stream {
		var routes []router.Route
		for _, b := range s.bindings {
			if isStream(b.Route) {
				routes = append(routes, routerRoute(b))
			}
		}
		s.StreamRouter, s.streamErr = router.NewStream(routes)
	}
}

// binding returns what the route of id leads to: prev when its route and
// service are still the same values (an update replaces the value in the
// model), else a new Binding; nil when the route is not served (deleted,
// or its service is disabled).
func (m *model) binding(id string, prev *Binding) *Binding {
	rt, ok := m.routes[id]
	if !ok {
		return nil
	}
	var svc *entities.Service
	if rt.ServiceID != "" {
		if svc, ok = m.services[rt.ServiceID]; ok && !svc.Enabled {
			return nil // routes of disabled services are left out of the routers
		}
	}
	if prev != nil && prev.Route == rt && prev.Service == svc {
		return prev
	}
	return &Binding{Route: rt, Service: svc}
}

// isStream reports whether rt belongs to the stream router.
func isStream(rt *entities.Route) bool { return !router.ServesHTTP(rt.Protocols) }

// compileUpstreams returns the upstreams by name, with their targets.
func (m *model) compileUpstreams() map[string]*Upstream {
	byName := make(map[string]*Upstream, len(m.upstreams))
	byID := make(map[string]*Upstream, len(m.upstreams))
	for id, u := range m.upstreams {
		up := &Upstream{Upstream: u, ClientCertID: m.tls.upstreamCerts[id]}
		byName[u.Name] = up
		byID[id] = up
	}
	for _, t := range m.targets {
		if up, ok := byID[t.UpstreamID]; ok {
			up.Targets = append(up.Targets, t)
		}
	}
	for _, up := range byID { // a stable order, whatever the map's
		slices.SortFunc(up.Targets, func(a, b *entities.Target) int { return strings.Compare(a.ID, b.ID) })
	}
	return byName
}

// compilePlugins hands the plugin instances, in id order, to pc.
func (m *model) compilePlugins(pc PluginCompiler) any {
	plugins := slices.SortedFunc(maps.Values(m.plugins), func(a, b *entities.Plugin) int {
		return strings.Compare(a.ID, b.ID)
	})
	return pc.Compile(plugins)
}

// yield lets the goroutines waiting for a processor run between the
// phases of a build. The build runs beside the proxy; on a node with one
// processor (GOMAXPROCS=1) it would otherwise hold it until it is done
// or the scheduler preempts it, up to 10 ms at a time, and every request
// in flight meanwhile would wait that long.
func yield() { goruntime.Gosched() }
