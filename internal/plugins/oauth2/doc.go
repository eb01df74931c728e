// Package oauth2 implements Kong's oauth2 plugin.
package oauth2
