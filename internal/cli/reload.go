package cli

import (
	"fmt"
	"os"
	"syscall"

	"github.com/spf13/cobra"
)

const reloadUsage = `Usage: %[1]s reload [OPTIONS]

Reload a Kong node in given prefix directory.

This command checks the configuration, then sends a HUP signal
to the node, which reads again the configuration file it was
started with, the KONG_* environment variables it was started
with, and its declarative configuration file, and applies them
without dropping connections. If the new configuration is
invalid, the node keeps serving the current one and logs why in
its error log.

Options:
 -c,--conf                 (optional string) configuration file to check
 -p,--prefix               (optional string) prefix Kong is running at
 --nginx-conf              (optional string) accepted for compatibility; ignored
 --nginx-conf-flags        (optional string) accepted for compatibility; ignored
`

// reloadCommand checks the configuration and has the node in the prefix
// reload it (SIGHUP).
func (a *app) reloadCommand() *cobra.Command {
	var confPath, prefix, nginxConf, nginxConfFlags string
	c := &cobra.Command{
		Use:  "reload",
		Long: fmt.Sprintf(reloadUsage, a.name),
		RunE: func(*cobra.Command, []string) error {
			restore := a.log.quiet()
			cfg, err := a.loadConf(newConfSource(confPath, prefix))
			restore()
			if err != nil {
				return err
			}
			if _, err := os.Stat(cfg.Prefix); err != nil {
				return fmt.Errorf("no such prefix: %s", cfg.Prefix)
			}
			a.ignoreNginxConf(nginxConf, nginxConfFlags)
			if err := signalNode(cfg.Prefix, syscall.SIGHUP); err != nil {
				return err
			}
			a.log.Info("Kong reloaded")
			return nil
		},
	}
	c.Flags().StringVarP(&confPath, "conf", "c", "", "configuration file")
	c.Flags().StringVarP(&prefix, "prefix", "p", "", "prefix Kong is running at")
	c.Flags().StringVar(&nginxConf, "nginx-conf", "", "custom Nginx configuration template (ignored)")
	c.Flags().StringVar(&nginxConfFlags, "nginx-conf-flags", "", "Nginx template flags (ignored)")
	return c
}
