// Package balancer balances proxied requests over the targets of Kong
// upstream entities and keeps their health.
//
// A Set holds one Balancer per upstream, keyed by the upstream's id and
// kept outside the immutable runtime snapshot: a configuration rebuild
// keeps a balancer (its round-robin position, connection counts and
// latencies) when neither the upstream nor its targets changed, and keeps
// the health of its addresses when only the targets changed.
//
// A Balancer resolves target names to addresses through the node's DNS
// client (package dns; SRV records give addresses with their own ports
// and weights) and resolves them again when their answer's TTL ends,
// picks an address per try with the upstream's algorithm
// (round-robin over Kong's weighted wheel, consistent hashing over a
// continuum of slots, least connections, latency), skips addresses that
// are unhealthy or were already tried, and tracks health from active
// probes and from the outcome of proxied tries (passive checks). Set.Status
// and Set.SetTargetHealth serve the Admin API's health endpoints through
// package adminhealth.
//
// Tries is the per-request side, shared by the HTTP and the stream
// proxies: it picks the first peer of a service (an upstream's Balancer,
// or the service host resolved through Hosts) and the peer of each retry,
// and reports every try's outcome back to the balancer.
//
// Wiring, as the gateway does it:
//
//	set := balancer.NewSet(balancer.Options{Logger: log})
//	proxyOpts.Balancers = set
//	adminOpts.Health = adminhealth.New(set)
//	go set.Run(ctx, holder, time.Second) // follow snapshots, start checks
//	defer set.Close()                    // stop checks and DNS refreshes
package balancer
