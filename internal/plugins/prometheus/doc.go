// Package prometheus implements Kong's prometheus plugin.
package prometheus
