// Package runtime builds and holds the gateway's runtime Snapshot: the
// compiled router with each route's service, and the upstreams with their
// targets, everything a proxied request reads.
//
// A Snapshot is immutable. The Holder publishes it through an atomic pointer,
// so a request loads it once, lock-free, and finishes on the snapshot it
// started with while configuration changes build the next one off the
// request path. Change events from the store are coalesced: a burst of
// writes costs one rebuild, and a configuration that fails to build leaves
// the running snapshot in place. A rebuild starts from the running
// snapshot and reuses the route bindings and compiled routes that did not
// change.
package runtime
