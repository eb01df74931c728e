// Package ratelimiting implements Kong's rate-limiting plugin: requests
// are counted per consumer, credential, client address, service, header
// or path in fixed windows from a second to a year, on the node (local),
// in the database (cluster) or in Redis, and refused with 429 once a
// window's limit is reached, with Kong's RateLimit-* and X-RateLimit-*
// headers.
package ratelimiting
