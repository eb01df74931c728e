// Package hmacauth implements Kong's hmac-auth plugin: the client signs
// chosen request headers (and the request line) with the secret of one of
// the hmacauth_credentials and sends the signature in an Authorization (or
// Proxy-Authorization) header; a Date or X-Date within the clock skew, and
// optionally a Digest of the body, bound the request to its signature.
package hmacauth
