package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/silverback-gw/silverback/internal/conf"
)

const healthUsage = `Usage: %[1]s health [OPTIONS]

Check if the necessary services are running for this node.

Options:
 -p,--prefix      (optional string) prefix at which Kong should be running
`

// healthCommand reports whether a node runs in the prefix, with Kong's
// output: one line per service ("nginx" stands for the node), then the
// verdict; exit status 1 when it is not running.
func (a *app) healthCommand() *cobra.Command {
	var prefix string
	c := &cobra.Command{
		Use:  "health",
		Long: fmt.Sprintf(healthUsage, a.name),
		RunE: func(*cobra.Command, []string) error {
			p, err := a.existingPrefix(prefix)
			if err != nil {
				return err
			}
			if _, err := os.Stat(filepath.Join(p, conf.EnvFile)); err != nil {
				return fmt.Errorf("Kong is not running at %s", p)
			}
			cfg, err := nodeConf(p)
			if err != nil {
				return err
			}
			running := nodePID(cfg.Prefix) != 0
			state := "not running"
			if running {
				state = "running"
			}
			a.log.Info("%s%s", ljust("nginx", 12, '.'), state)
			a.log.Info("")
			if !running {
				return fmt.Errorf("Kong is not running at %s", cfg.Prefix)
			}
			a.log.Info("Kong is healthy at %s", cfg.Prefix)
			return nil
		},
	}
	c.Flags().StringVarP(&prefix, "prefix", "p", "", "prefix at which Kong should be running")
	return c
}

// ljust pads s on the right with pad up to width (Penlight's stringx.ljust).
func ljust(s string, width int, pad byte) string {
	if len(s) >= width {
		return s
	}
	return s + strings.Repeat(string(pad), width-len(s))
}
