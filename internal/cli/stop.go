package cli

import (
	"fmt"
	"syscall"

	"github.com/spf13/cobra"
)

const stopUsage = `Usage: %[1]s stop [OPTIONS]

Stop a running Kong node in given prefix directory.

This command sends a SIGTERM signal to the node, which stops
at once, and waits for it to exit.

Options:
 -p,--prefix      (optional string) prefix Kong is running at
`

// stopCommand stops the node in the prefix at once (SIGTERM).
func (a *app) stopCommand() *cobra.Command {
	var prefix string
	c := &cobra.Command{
		Use:  "stop",
		Long: fmt.Sprintf(stopUsage, a.name),
		RunE: func(*cobra.Command, []string) error {
			return a.stop(prefix, false)
		},
	}
	c.Flags().StringVarP(&prefix, "prefix", "p", "", "prefix Kong is running at")
	return c
}

// stop is `kong stop`; quiet silences it (restart).
func (a *app) stop(prefix string, quiet bool) error {
	p, err := a.existingPrefix(prefix)
	if err != nil {
		return err
	}
	if quiet {
		defer a.log.quiet()()
	}
	cfg, err := nodeConf(p)
	if err != nil {
		return err
	}
	if err := signalNode(cfg.Prefix, syscall.SIGTERM); err != nil {
		return err
	}
	if err := awaitStop(cfg.Prefix); err != nil {
		return err
	}
	a.log.Info("Kong stopped")
	return nil
}
