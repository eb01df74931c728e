package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

const restartUsage = `Usage: %[1]s restart [OPTIONS]

Restart a Kong node in the given prefix directory.

This command is equivalent to doing both '%[1]s stop' and
'%[1]s start'.

Options:
 -c,--conf                 (optional string)   configuration file
 -p,--prefix               (optional string)   prefix at which Kong should be running
 --nginx-conf              (optional string)   accepted for compatibility; ignored
 --run-migrations          (optional boolean)  optionally run migrations on the DB
 --db-timeout              (optional number)
 --lock-timeout            (default 60)
 --nginx-conf-flags        (optional string)   accepted for compatibility; ignored
`

// restartWait bounds how long restart waits for the old node to exit.
const restartWait = 5 * time.Second

// restartCommand stops the node in the prefix, if any, and starts one.
func (a *app) restartCommand() *cobra.Command {
	var o startOptions
	c := &cobra.Command{
		Use:  "restart",
		Long: fmt.Sprintf(restartUsage, a.name),
		RunE: func(c *cobra.Command, _ []string) error {
			o.dbTimeoutSet = c.Flags().Changed("db-timeout")
			return a.restart(&o)
		},
	}
	o.addFlags(c.Flags())
	return c
}

// restart is Kong's: with --prefix the prefix must hold a .kong_env, else
// the prefix is the configuration's; the stop is quiet and may fail (no
// node running), then start runs as usual.
func (a *app) restart(o *startOptions) error {
	restore := a.log.quiet()
	prefix, err := a.restartPrefix(o)
	if err != nil {
		restore()
		return err
	}
	_ = a.stop(prefix, true) // nothing to stop is fine
	restore()
	waitStopped(prefix, restartWait)
	o.prefix = prefix
	return a.start(o)
}

func (a *app) restartPrefix(o *startOptions) (string, error) {
	if o.prefix != "" {
		cfg, err := nodeConf(o.prefix)
		if err != nil {
			return "", err
		}
		return cfg.Prefix, nil
	}
	cfg, err := a.loadConf(newConfSource(o.confPath, ""))
	if err != nil {
		return "", err
	}
	return cfg.Prefix, nil
}
