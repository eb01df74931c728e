// Package botdetection implements Kong's bot-detection plugin.
package botdetection
