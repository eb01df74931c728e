// Command silverback is the Silverback API gateway and its Kong-compatible CLI.
package main

import "github.com/silverback-gw/silverback/internal/cli"

func main() { cli.Main() }
