package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/silverback-gw/silverback/internal/conf"
)

const drainUsage = `Usage: %[1]s drain [OPTIONS]

Make status listeners(` + "`/status/ready`" + `) return 503 Service Unavailable.

Example usage:
 %[1]s drain

Options:
 -c,--conf    (optional string)  configuration file
 -p,--prefix  (optional string)  override prefix directory
`

// drainTimeout is Kong's request timeout for drain (1 s).
const drainTimeout = time.Second

// drainCommand asks the node to report itself not ready on its status
// listener, so that load balancers stop sending it traffic before a quit.
// Like Kong's, it reports failures on stdout and exits 0.
func (a *app) drainCommand() *cobra.Command {
	var confPath, prefix string
	c := &cobra.Command{
		Use:  "drain",
		Long: fmt.Sprintf(drainUsage, a.name),
		RunE: func(c *cobra.Command, _ []string) error {
			restore := a.log.quiet()
			cfg, err := a.drainConf(confPath, prefix)
			restore()
			if err != nil {
				return err
			}
			if len(cfg.StatusListen) == 0 {
				fmt.Fprintln(a.stdout, "No status listeners found in configuration.")
				return nil
			}
			fmt.Fprintln(a.stdout, drain(c.Context(), cfg.StatusListen[0]))
			return nil
		},
	}
	c.Flags().StringVarP(&confPath, "conf", "c", "", "configuration file")
	c.Flags().StringVarP(&prefix, "prefix", "p", "", "override prefix directory")
	return c
}

// drainConf is the configuration of the node in the prefix when one was
// started there, else the configuration given.
func (a *app) drainConf(confPath, prefix string) (*conf.Config, error) {
	cfg, err := a.loadConf(newConfSource(confPath, prefix))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(cfg.Prefix, conf.EnvFile)); err != nil {
		return cfg, nil
	}
	return nodeConf(cfg.Prefix)
}

// drain posts {"status":"draining"} to the listener's /status/ready and
// returns Kong's report of the outcome.
func drain(ctx context.Context, l conf.Listener) string {
	scheme := "http"
	if l.SSL {
		scheme = "https"
	}
	host := l.Host
	if host == "*" {
		host = "0.0.0.0"
	}
	u := scheme + "://" + net.JoinHostPort(host, strconv.Itoa(l.Port)) + "/status/ready"
	client := &http.Client{
		Timeout: drainTimeout,
		Transport: &http.Transport{
			// Kong does not verify the status listener's certificate
			// either: it is usually the self-signed default.
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // see above
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(`{"status":"draining"}`))
	if err != nil {
		return fmt.Sprintf("Failed to send request to %s: %s", u, err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Sprintf("Failed to send request to %s: %s", u, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		return fmt.Sprintf("Unexpected response status from %s: %d", u, res.StatusCode)
	}
	return "Kong's status successfully changed to 'draining'"
}
