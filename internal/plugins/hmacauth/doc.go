// Package hmacauth implements Kong's hmac-auth plugin.
package hmacauth
