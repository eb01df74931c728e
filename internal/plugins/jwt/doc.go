// Package jwt implements Kong's jwt plugin.
package jwt
