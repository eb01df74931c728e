// Package oauth2 implements Kong's oauth2 plugin: an OAuth 2.0
// authorization server on the routes it is configured on. Any route path
// ending with /oauth2/authorize or /oauth2/token is answered by the plugin
// (authorization code, implicit, client credentials, password and refresh
// token grants, with PKCE), storing codes and tokens in the
// oauth2_authorization_codes and oauth2_tokens entities; every other
// request must carry an access token, and is authenticated as the
// consumer owning the token's client (oauth2_credentials).
package oauth2
