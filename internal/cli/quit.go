package cli

import (
	"fmt"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

const quitUsage = `Usage: %[1]s quit [OPTIONS]

Gracefully quit a running Kong node in given prefix directory.

This command sends a SIGQUIT signal to the node, meaning all
requests will finish processing before shutting down.
If the timeout delay is reached, the node will be forcefully
stopped (SIGTERM).

Options:
 -p,--prefix      (optional string) prefix Kong is running at
 -t,--timeout     (default 10) timeout before forced shutdown
 -w,--wait        (default 0) wait time before initiating the shutdown
`

// quitCommand stops the node in the prefix gracefully (SIGQUIT), forcing it
// (SIGTERM) after the timeout.
func (a *app) quitCommand() *cobra.Command {
	var prefix string
	var timeout, wait number
	c := &cobra.Command{
		Use:  "quit",
		Long: fmt.Sprintf(quitUsage, a.name),
		RunE: func(*cobra.Command, []string) error {
			return a.quit(prefix, seconds(float64(timeout)), seconds(float64(wait)))
		},
	}
	c.Flags().StringVarP(&prefix, "prefix", "p", "", "prefix Kong is running at")
	numberFlag(c.Flags(), &timeout, "timeout", "t", 10, "timeout before forced shutdown")
	numberFlag(c.Flags(), &wait, "wait", "w", 0, "wait time before initiating the shutdown")
	return c
}

// quit is Kong's quit: wait, SIGQUIT, wait up to timeout (at least one
// second), then SIGTERM.
func (a *app) quit(prefix string, timeout, wait time.Duration) error {
	p, err := a.existingPrefix(prefix)
	if err != nil {
		return err
	}
	cfg, err := nodeConf(p)
	if err != nil {
		return err
	}
	if wait > 0 {
		a.log.Verbose("waiting %s seconds before quitting", formatSeconds(wait))
		for end := time.Now().Add(wait); time.Now().Before(end); {
			time.Sleep(min(pollInterval, time.Until(end)))
			if nodePID(cfg.Prefix) == 0 {
				a.log.Error("Kong stopped while waiting (unexpected)")
				return nil
			}
		}
	}
	if err := signalNode(cfg.Prefix, syscall.SIGQUIT); err != nil {
		return err
	}
	a.log.Verbose("waiting for nginx to finish processing requests")
	if waitStopped(cfg.Prefix, max(timeout, time.Second)) {
		a.log.Info("Kong stopped (gracefully)")
		return nil
	}
	a.log.Verbose("nginx is still running at %s, forcing shutdown", cfg.Prefix)
	if err := signalNode(cfg.Prefix, syscall.SIGTERM); err != nil {
		return err
	}
	if err := awaitStop(cfg.Prefix); err != nil {
		return err
	}
	a.log.Info("Timeout, Kong stopped forcefully")
	return nil
}

// seconds converts a lapp number of seconds; negative is zero.
func seconds(s float64) time.Duration {
	return time.Duration(max(s, 0) * float64(time.Second))
}

// formatSeconds prints d in seconds as Lua prints the number given.
func formatSeconds(d time.Duration) string {
	n := number(d.Seconds())
	return n.String()
}
