package proxy_test

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// testEngine is the HTTP/1.x engine newEnv serves the proxy with.
var testEngine = "native"

// engines are the proxy's HTTP/1.x engines.
var engines = []string{"native", "nethttp"}

// TestMain runs the package's tests once per engine, or on the one
// PROXY_TEST_ENGINE names. Benchmarks and fuzzing run once: they choose
// their engines themselves.
func TestMain(m *testing.M) {
	flag.Parse()
	run := engines
	if e := os.Getenv("PROXY_TEST_ENGINE"); e != "" {
		run = []string{e}
	} else if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" || flag.Lookup("test.fuzz").Value.String() != "" {
		run = engines[:1]
	}
	code := 0
	for _, e := range run {
		testEngine = e
		if len(run) > 1 && testing.Verbose() {
			fmt.Printf("=== engine %s\n", e)
		}
		if c := m.Run(); c != 0 {
			code = c
		}
	}
	os.Exit(code)
}
