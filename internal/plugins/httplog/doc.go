// Package httplog implements Kong's http-log plugin.
package httplog
