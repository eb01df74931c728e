// Package ratelimiting implements Kong's rate-limiting plugin.
package ratelimiting
