//go:build race

package cli

// Under the race detector, the binary the tests run is built with it too.
func init() { binaryBuildFlags = append(binaryBuildFlags, "-race") }
