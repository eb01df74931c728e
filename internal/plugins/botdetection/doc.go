// Package botdetection implements Kong's bot-detection plugin: requests
// whose User-Agent matches the configured deny patterns or Kong's list of
// known bots are refused with 403, unless an allow pattern matches first.
package botdetection
