package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/silverback-gw/silverback/internal/meta"
)

const versionUsage = `Usage: %[1]s version [OPTIONS]

Print Kong's version. With the -a option, will print
the version of all underlying dependencies.

Options:
 -a,--all         get version of all dependencies
`

// versionCommand prints the Kong version Silverback implements, which is
// what scripts and tools compare; -a adds Silverback's and Go's versions in
// place of Kong's ngx_lua, nginx and Lua lines.
func (a *app) versionCommand() *cobra.Command {
	var all bool
	c := &cobra.Command{
		Use:  "version",
		Long: fmt.Sprintf(versionUsage, a.name),
		RunE: func(*cobra.Command, []string) error {
			if !all {
				fmt.Fprintln(a.stdout, meta.KongVersion)
				return nil
			}
			fmt.Fprintf(a.stdout, "Kong: %s\n%s: %s\nGo: %s\n", meta.KongVersion, meta.Name, meta.Version, runtime.Version())
			return nil
		},
	}
	c.Flags().BoolVarP(&all, "all", "a", false, "get version of all dependencies")
	return c
}
