// Package responseratelimiting implements Kong's response-ratelimiting
// plugin: the upstream tells in a response header how many units of named
// limits a response spent; the units are counted per consumer, credential
// or client address in fixed windows, and a response spending units of a
// spent limit becomes a 429.
package responseratelimiting
