package runtime

import (
	"context"
	"fmt"
	"time"

	"github.com/silverback-gw/silverback/internal/entities"
	"github.com/silverback-gw/silverback/internal/router"
	"github.com/silverback-gw/silverback/internal/store"
)

// Snapshot is everything a request reads. Never modify one.
type Snapshot struct {
	// Router matches requests to routes; a match's Route.Payload is the
	// route's *Binding.
	Router *router.Router
	// Services by id.
	Services map[string]*entities.Service
	// Upstreams by name: a service whose host is an upstream name is
	// balanced over its targets.
	Upstreams map[string]*Upstream
	// RouteErrors names the routes left out of the router, nil when none.
	RouteErrors error
	// Built is when the snapshot was built; Generation counts rebuilds.
	Built      time.Time
	Generation uint64
}

// Binding is what a matched route leads to.
type Binding struct {
	Route *entities.Route
	// Service is nil when the route has none (Kong answers 503).
	Service *entities.Service
}

// Upstream is an upstream entity with its targets.
type Upstream struct {
	*entities.Upstream
	Targets []*entities.Target
}

// Build reads the configuration from db and compiles a snapshot.
func Build(ctx context.Context, db *store.DB) (*Snapshot, error) {
	s := &Snapshot{
		Services:  map[string]*entities.Service{},
		Upstreams: map[string]*Upstream{},
		Built:     time.Now(),
	}
	var routes []router.Route
	err := db.ViewShared(ctx, func(tx *store.Txn) error {
		if err := tx.Each(ctx, "services", store.Query{}, func(r store.Row) error {
			svc := entities.ServiceFromRow(r)
			s.Services[svc.ID] = svc
			return nil
		}); err != nil {
			return err
		}
		if err := tx.Each(ctx, "routes", store.Query{}, func(r store.Row) error {
			rt := entities.RouteFromRow(r)
			b := &Binding{Route: rt}
			if rt.ServiceID != "" {
				svc, ok := s.Services[rt.ServiceID]
				if ok && !svc.Enabled {
					return nil // routes of disabled services are left out of the router
				}
				b.Service = svc
			}
			routes = append(routes, routerRoute(rt, b))
			return nil
		}); err != nil {
			return err
		}
		byID := map[string]*Upstream{}
		if err := tx.Each(ctx, "upstreams", store.Query{}, func(r store.Row) error {
			u := &Upstream{Upstream: entities.UpstreamFromRow(r)}
			s.Upstreams[u.Name] = u
			byID[u.ID] = u
			return nil
		}); err != nil {
			return err
		}
		return tx.Each(ctx, "targets", store.Query{}, func(r store.Row) error {
			t := entities.TargetFromRow(r)
			if u, ok := byID[t.UpstreamID]; ok {
				u.Targets = append(u.Targets, t)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	// Like Kong, routes the router cannot compile are left out and reported;
	// the others are served.
	s.Router, s.RouteErrors = router.New(routes)
	return s, nil
}

func routerRoute(rt *entities.Route, b *Binding) router.Route {
	return router.Route{
		ID:            rt.ID,
		Protocols:     rt.Protocols,
		Methods:       rt.Methods,
		Hosts:         rt.Hosts,
		Paths:         rt.Paths,
		Headers:       rt.Headers,
		SNIs:          rt.SNIs,
		RegexPriority: rt.RegexPriority,
		StripPath:     rt.StripPath,
		PreserveHost:  rt.PreserveHost,
		PathHandling:  rt.PathHandling,
		Payload:       b,
	}
}
