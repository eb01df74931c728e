// Package integration tests a whole Silverback node end to end: the gateway
// assembled from its configuration, serving on real 127.0.0.1 listeners,
// driven the way users and Kong's clients drive it (curl-like HTTP, decK).
package integration
