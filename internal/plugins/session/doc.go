// Package session implements Kong's session plugin.
package session
