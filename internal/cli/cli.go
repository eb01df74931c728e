// Package cli is Silverback's command line, a drop-in replacement for the
// `kong` CLI of Kong Gateway 3.9 (bin/kong and kong/cmd/*.lua in Kong/kong):
// the same commands, flags, messages, exit codes and prefix layout, so that
// scripts, container entrypoints, process managers and health probes written
// for Kong work unchanged.
//
// One file per command (start.go, stop.go, quit.go, ...). What Kong's
// commands share lives beside them: the CLI's output (log.go), loading
// kong.conf (conf.go), the prefix directory (prefix.go), the running node's
// pid and signals (process.go), and the node's error log (errorlog.go).
//
// A node is one `silverback start` process in the foreground. It writes its
// pid where Kong's nginx does, <prefix>/pids/nginx.pid, and answers the
// signals Kong's nginx master answers: TERM and INT stop at once, QUIT
// stops after in-flight requests, HUP reloads the configuration. The other
// process commands (stop, quit, reload, health, restart) find the node
// through that pid file, as Kong's do.
//
// Errors are reported as Kong reports them: "Error: <message>" and a hint
// about --v and --vv on stderr, exit status 1. Usage errors print lapp's
// message and the command's usage, also with status 1, as does --help.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/silverback-gw/silverback/internal/meta"
)

// Main runs the command line with the process's arguments and environment,
// then exits with the command's status.
func Main() {
	os.Exit(run(filepath.Base(os.Args[0]), os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr))
}

// errorHint follows every error message unless --v or --vv was given
// (kong/cmd/init.lua).
const errorHint = "\n  Run with --v (verbose) or --vv (debug) for more details\n"

// globalOptions is appended to every command's usage (bin/kong).
const globalOptions = ` --v              verbose
 --vv             debug
`

// app is one invocation of the command line.
type app struct {
	name    string   // program name, in usage messages
	environ []string // NAME=value pairs; KONG_* ones override kong.conf
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	log     *cliLog

	verbose, debug bool // --v, --vv
	helpShown      bool // usage was printed for --help: exit 1, as lapp does
}

// run executes args and returns the exit status.
func run(name string, args, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{name: name, environ: environ, stdin: stdin, stdout: stdout, stderr: stderr, log: newCLILog(stdout, stderr)}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return a.exitStatus(root.Execute())
}

// exitStatus reports err as Kong does and returns the process status.
func (a *app) exitStatus(err error) int {
	var status exitStatus
	var usage *usageError
	switch {
	case err == nil && a.helpShown:
		return 1
	case err == nil:
		return 0
	case errors.As(err, &status):
		return int(status)
	case errors.As(err, &usage):
		if usage.msg != "" {
			fmt.Fprintf(a.stderr, "%s\n\n", usage.msg)
		}
		fmt.Fprint(a.stderr, usageText(usage.cmd))
		return 1
	case a.verbose || a.debug:
		fmt.Fprintf(a.stderr, "Error: %s\n", err)
		return 1
	default:
		fmt.Fprintf(a.stderr, "Error: %s\n%s", err, errorHint)
		return 1
	}
}

// exitStatus ends a command whose output is already written with a status,
// like Kong's os.exit(n) (e.g. `check` after logging each error).
type exitStatus int

func (s exitStatus) Error() string { return "exit status " + strconv.Itoa(int(s)) }

// usageError prints msg, a blank line and the usage of cmd, then exits 1:
// pl.lapp's quit and error.
type usageError struct {
	cmd *cobra.Command
	msg string
}

func (e *usageError) Error() string { return e.msg }

// usageText is a command's lapp usage followed by the global options.
func usageText(cmd *cobra.Command) string {
	return cmd.Long + globalOptions
}

// rootCommand builds the command tree.
func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use: a.name,
		// Without a known command Kong prints its usage and fails.
		Args: cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &usageError{cmd: c}
			}
			return &usageError{cmd: c, msg: "No such command: " + args[0]}
		},
		PersistentPreRun: func(*cobra.Command, []string) { a.setVerbosity() },
		SilenceErrors:    true,
		SilenceUsage:     true,
		CompletionOptions: cobra.CompletionOptions{
			DisableDefaultCmd: true,
		},
	}
	root.PersistentFlags().BoolVar(&a.verbose, "v", false, "verbose")
	root.PersistentFlags().BoolVar(&a.debug, "vv", false, "debug")
	root.SetHelpFunc(func(c *cobra.Command, _ []string) {
		a.helpShown = true
		fmt.Fprint(a.stderr, usageText(c))
	})
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{cmd: c, msg: a.name + ": " + lappMessage(err)}
	})
	root.AddCommand(a.commands()...)
	root.Long = a.rootUsage(root.Commands())
	return root
}

// commands are the top-level commands, sorted as Kong lists them.
func (a *app) commands() []*cobra.Command {
	return []*cobra.Command{
		a.checkCommand(),
		a.configCommand(),
		a.drainCommand(),
		a.healthCommand(),
		a.migrationsCommand(),
		a.prepareCommand(),
		a.quitCommand(),
		a.reloadCommand(),
		a.restartCommand(),
		a.startCommand(),
		a.stopCommand(),
		a.versionCommand(),
	}
}

// rootUsage is bin/kong's usage, listing cmds.
func (a *app) rootUsage(cmds []*cobra.Command) string {
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name())
	}
	return fmt.Sprintf("Usage: %s COMMAND [OPTIONS]\n\nThe available commands are:\n %s\n\nOptions:\n",
		a.name, strings.Join(names, "\n "))
}

// setVerbosity applies --v and --vv, then logs the versions as Kong does at
// those levels (kong/cmd/init.lua).
func (a *app) setVerbosity() {
	switch {
	case a.debug:
		a.log.level = levelDebug
	case a.verbose:
		a.log.level = levelVerbose
	}
	a.log.Verbose("Kong: %s", meta.KongVersion)
	a.log.Debug("%s: %s", meta.Name, meta.Version)
}

// parentCommand is a command with sub-commands (config, migrations): without
// one, or with an unknown one, it prints its usage and fails (bin/kong).
func parentCommand(name, usage string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:  name,
		Long: usage,
		Args: cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &usageError{cmd: c}
			}
			return &usageError{cmd: c, msg: "No such command for " + name + ": " + args[0]}
		},
	}
	c.AddCommand(subs...)
	return c
}

// lappMessage words a flag error as pl.lapp does.
func lappMessage(err error) string {
	var notExist *pflag.NotExistError
	var required *pflag.ValueRequiredError
	var invalid *pflag.InvalidValueError
	switch {
	case errors.As(err, &notExist):
		return "unrecognized parameter: " + notExist.GetSpecifiedName()
	case errors.As(err, &required):
		return required.GetFlag().Name + " was expecting a value"
	case errors.As(err, &invalid):
		return errors.Unwrap(invalid).Error()
	}
	return err.Error()
}

// number is a lapp number option: any value Lua's tonumber reads as decimal.
type number float64

func (n *number) String() string { return strconv.FormatFloat(float64(*n), 'g', -1, 64) }

func (n *number) Set(s string) error {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return errors.New("unable to convert to number: " + s)
	}
	*n = number(v)
	return nil
}

func (n *number) Type() string { return "number" }

// numberFlag declares a lapp number option with its default.
func numberFlag(fs *pflag.FlagSet, p *number, name, shorthand string, value float64, usage string) {
	*p = number(value)
	fs.VarP(p, name, shorthand, usage)
}
