// Package ratelimit holds what Kong's rate-limiting and
// response-ratelimiting plugins share: windows aligned on the UTC calendar
// as kong/tools/timestamp.lua, counters and their keys, the local, cluster
// and redis policies that keep them, the redis config record with its
// deprecated shorthand fields, the identifier a client is counted by
// (get_identifier) and the per-request response headers both plugins
// store (kong.pdk.private.rate_limiting).
package ratelimit
