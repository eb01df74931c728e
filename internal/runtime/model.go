package runtime

import (
	"context"
	"errors"
	"fmt"
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
// it touched plus one router compilation, not a re-read of every row.
// Only the Holder's build goroutine uses a model.
type model struct {
	services  map[string]*entities.Service
	routes    map[string]*entities.Route
	upstreams map[string]*entities.Upstream
	targets   map[string]*entities.Target
	plugins   map[string]*entities.Plugin
	tls       tlsModel
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
	case store.OpDelete:
		id, _ := ev.Old["id"].(string)
		m.remove(ev.Entity, id)
	case store.OpTruncate:
		m.clear(ev.Entity)
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

// compile builds an immutable snapshot of the model. The snapshot shares
// the model's typed values, which are never modified: an update replaces
// the value in the model's map. pc, when set, compiles the plugins; prev,
// when set, is the snapshot before, whose bindings and compiled routes the
// new snapshot reuses where they are still the same.
func (m *model) compile(pc PluginCompiler, prev *Snapshot) *Snapshot {
	s := &Snapshot{
		Services:  make(map[string]*entities.Service, len(m.services)),
		Upstreams: make(map[string]*Upstream, len(m.upstreams)),
		TLS:       m.tls.compile(),
		Built:     time.Now(),
		bindings:  make(map[string]*Binding, len(m.routes)),
	}
	var prevRouter *router.Router
	var prevBindings map[string]*Binding
	if prev != nil {
		prevRouter, prevBindings = prev.Router, prev.bindings
	}
	for id, svc := range m.services {
		s.Services[id] = svc
	}
	routes := make([]router.Route, 0, len(m.routes))
	for id, rt := range m.routes {
		var svc *entities.Service
		if rt.ServiceID != "" {
			var ok bool
			svc, ok = m.services[rt.ServiceID]
			if ok && !svc.Enabled {
				continue // routes of disabled services are left out of the router
			}
		}
		// A binding is kept while its route and service are the same values:
		// an update replaces the value in the model.
		b := prevBindings[id]
		if b == nil || b.Route != rt || b.Service != svc {
			b = &Binding{Route: rt, Service: svc}
		}
		s.bindings[id] = b
		routes = append(routes, routerRoute(rt, b))
	}
	byID := make(map[string]*Upstream, len(m.upstreams))
	for id, u := range m.upstreams {
		up := &Upstream{Upstream: u, ClientCertID: m.tls.upstreamCerts[id]}
		s.Upstreams[u.Name] = up
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
	// Like Kong, routes the router cannot compile are left out and
	// reported; the others are served.
	var httpErr, streamErr error
	yield()
	s.Router, httpErr = router.NewFrom(prevRouter, routes)
	yield()
	s.StreamRouter, streamErr = router.NewStream(routes)
	s.RouteErrors = errors.Join(httpErr, streamErr)
	if pc != nil {
		yield()
		plugins := make([]*entities.Plugin, 0, len(m.plugins))
		for _, p := range m.plugins {
			plugins = append(plugins, p)
		}
		slices.SortFunc(plugins, func(a, b *entities.Plugin) int { return strings.Compare(a.ID, b.ID) })
		s.Plugins = pc.Compile(plugins)
	}
	return s
}

// yield lets the goroutines waiting for a processor run between the
// phases of a build. The build runs beside the proxy; on a node with one
// processor (GOMAXPROCS=1) it would otherwise hold it until the
// scheduler preempts it, up to 10 ms at a time, and every request
// arriving meanwhile would wait that long.
func yield() { goruntime.Gosched() }
