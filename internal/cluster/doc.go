// Package cluster propagates configuration changes between Silverback nodes
// sharing one PostgreSQL database, as Kong's cluster_events do.
//
// Every committed write of a node inserts, in the same transaction, one
// cluster_events row per invalidated cache key (channel, data = Kong's
// cache key, node_id, at, nbf, expire_at) and sends a NOTIFY. Each node
// polls the table every db_update_frequency with Kong's query (events newer
// than its last position, from other nodes, honouring nbf) and polls at
// once when a NOTIFY arrives on its dedicated LISTEN connection, so a change
// reaches the other nodes in well under a second. Received events invalidate
// the runtime snapshot (services, routes, plugins, ...) and are published to
// subscribers such as the consumer and credential caches. When the database
// comes back after an outage, the node re-reads everything, since events
// may have been missed.
package cluster
