//go:build race

package proxy_test

// raceEnabled shrinks load tests under the race detector, which slows the
// in-process client, proxy and upstreams about fifteen times.
const raceEnabled = true
