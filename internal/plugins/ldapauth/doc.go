// Package ldapauth implements Kong's ldap-auth plugin: the client sends
// "<header_type> base64(user:password)" in Proxy-Authorization or
// Authorization, the plugin binds to an LDAP server as
// <attribute>=<user>,<base_dn> (plain, LDAPS or StartTLS, on pooled
// connections) and caches the outcome in the node's cache for cache_ttl.
// A successful bind authenticates a credential without consumer, whose
// identifier sent upstream is the LDAP user name.
package ldapauth
