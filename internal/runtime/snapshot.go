package runtime

import (
	"context"
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
	// StreamRouter matches stream connections (and UDP sessions) to the
	// tcp, tls, udp and tls_passthrough routes; Payload as in Router.
	StreamRouter *router.StreamRouter
	// Services by id.
	Services map[string]*entities.Service
	// Upstreams by name: a service whose host is an upstream name is
	// balanced over its targets.
	Upstreams map[string]*Upstream
	// TLS holds the certificates, their SNIs and the CA certificates.
	TLS *TLS
	// Node is the node-wide TLS configuration (Holder.SetNodeTLS), the
	// same in every snapshot; nil when none was set.
	Node *NodeTLS
	// Plugins is what the holder's PluginCompiler built from the plugin
	// instances (the plugin runtime's index), nil without a compiler.
	Plugins any
	// RouteErrors names the routes left out of the routers, nil when none.
	RouteErrors error
	// Built is when the snapshot was built; Generation counts rebuilds.
	Built      time.Time
	Generation uint64

	// bindings are the Payloads of the routes, by route id, for the next
	// build to reuse.
	bindings map[string]*Binding
	// httpErr and streamErr are what the routers reported, kept for the
	// next build when it keeps a router.
	httpErr, streamErr error
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
	// ClientCertID is the upstream's client_certificate, presented to
	// its targets over TLS when the service has none; "" when unset.
	ClientCertID string
}

// Build reads the configuration from db and compiles a snapshot.
func Build(ctx context.Context, db *store.DB) (*Snapshot, error) {
	m, err := loadModel(ctx, db)
	if err != nil {
		return nil, err
	}
	return m.compile(nil, nil), nil
}

// PluginCompiler turns the configured plugin instances into the form the
// plugin runtime runs. Compile is called for the first snapshot and for
// each one after a change of the plugins (a snapshot built after other
// changes keeps the plugins of the one before), from the holder's build
// goroutine only; an unchanged row keeps the same *entities.Plugin from
// one build to the next, so a compiler may reuse what it built for it.
type PluginCompiler interface {
	Compile(plugins []*entities.Plugin) any
}

// routerRoute is the router's view of a binding's route.
func routerRoute(b *Binding) router.Route {
	rt := b.Route
	return router.Route{
		ID:            rt.ID,
		Protocols:     rt.Protocols,
		Methods:       rt.Methods,
		Hosts:         rt.Hosts,
		Paths:         rt.Paths,
		Headers:       rt.Headers,
		SNIs:          rt.SNIs,
		Sources:       routerEndpoints(rt.Sources),
		Destinations:  routerEndpoints(rt.Destinations),
		RegexPriority: rt.RegexPriority,
		StripPath:     rt.StripPath,
		PreserveHost:  rt.PreserveHost,
		PathHandling:  rt.PathHandling,
		Payload:       b,
	}
}

func routerEndpoints(eps []entities.Endpoint) []router.Endpoint {
	if len(eps) == 0 {
		return nil
	}
	out := make([]router.Endpoint, len(eps))
	for i, ep := range eps {
		out[i] = router.Endpoint{IP: ep.IP, Port: ep.Port}
	}
	return out
}
