// Package responseratelimiting implements Kong's response-ratelimiting plugin.
package responseratelimiting
