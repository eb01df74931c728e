package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

const prepareUsage = `Usage: %[1]s prepare [OPTIONS]

Prepare the Kong prefix in the configured prefix directory: its logs and
pids directories, log files and .kong_env, without starting Kong.

Options:
 -c,--conf       (optional string) configuration file
 -p,--prefix     (optional string) override prefix directory
 --nginx-conf    (optional string) accepted for compatibility; ignored, as
                                   Silverback does not run nginx
`

// prepareCommand writes the prefix without starting a node.
func (a *app) prepareCommand() *cobra.Command {
	var confPath, prefix, nginxConf string
	c := &cobra.Command{
		Use:  "prepare",
		Long: fmt.Sprintf(prepareUsage, a.name),
		RunE: func(*cobra.Command, []string) error {
			cfg, err := a.loadConf(newConfSource(confPath, prefix))
			if err != nil {
				return err
			}
			a.ignoreNginxConf(nginxConf, "")
			if err := a.preparePrefix(cfg); err != nil {
				return fmt.Errorf("could not prepare Kong prefix at %s: %w", cfg.Prefix, err)
			}
			return nil
		},
	}
	c.Flags().StringVarP(&confPath, "conf", "c", "", "configuration file")
	c.Flags().StringVarP(&prefix, "prefix", "p", "", "override prefix directory")
	c.Flags().StringVar(&nginxConf, "nginx-conf", "", "custom Nginx configuration template (ignored)")
	return c
}

// ignoreNginxConf notes that the nginx template flags Kong's start, reload
// and prepare take have no effect here.
func (a *app) ignoreNginxConf(template, flags string) {
	if template != "" {
		a.log.Warn("--nginx-conf %s ignored: Silverback does not run nginx", template)
	}
	if flags != "" {
		a.log.Warn("--nginx-conf-flags %s ignored: Silverback does not run nginx", flags)
	}
}
