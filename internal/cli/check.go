package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/silverback-gw/silverback/internal/conf"
)

const checkUsage = `Usage: %[1]s check <conf>

Check the validity of a given Kong configuration file.

<conf> (default /etc/kong/kong.conf) configuration file

Options:
`

// defaultConfPath is the file `check` validates when given none.
const defaultConfPath = "/etc/kong/kong.conf"

// checkCommand validates a kong.conf (with the KONG_* variables, as Kong
// reads them too) and logs every problem, not only the first.
func (a *app) checkCommand() *cobra.Command {
	return &cobra.Command{
		Use:  "check",
		Long: fmt.Sprintf(checkUsage, a.name),
		RunE: func(_ *cobra.Command, args []string) error {
			path := defaultConfPath
			if len(args) > 0 {
				path = args[0]
			}
			cfg, err := conf.Load(path, a.environ)
			if err != nil {
				var errs conf.Errors
				if !errors.As(err, &errs) {
					errs = conf.Errors{{Message: err.Error()}}
				}
				for _, e := range errs {
					a.log.Error("%s", e.Message)
				}
				return exitStatus(1)
			}
			for _, w := range cfg.Warnings {
				a.log.Warn("%s", w)
			}
			a.log.Info("configuration at %s is valid", path)
			return nil
		},
	}
}
