// Package basicauth implements Kong's basic-auth plugin.
package basicauth
