// Package ldapauth implements Kong's ldap-auth plugin.
package ldapauth
