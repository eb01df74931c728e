// Package jwt implements Kong's jwt plugin: the client presents a JSON Web
// Token in a query argument, a cookie or a "Bearer" header; the claim
// named by key_claim_name finds one of the jwt_secrets through the node's
// cache, the token's signature is verified with that credential's
// algorithm and key (never with the algorithm the token names), the
// registered claims are checked, and the request is authenticated as the
// credential's consumer.
package jwt
