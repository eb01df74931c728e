package cli

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/silverback-gw/silverback/internal/conf"
	"github.com/silverback-gw/silverback/internal/gateway"
)

const startUsage = `Usage: %[1]s start [OPTIONS]

Start Kong in the configured prefix directory. The node runs in the
foreground until it is stopped, and answers signals as Kong's nginx does:
SIGTERM and SIGINT stop it at once (kong stop), SIGQUIT stops it once the
requests in flight are answered (kong quit), SIGHUP reloads its
configuration (kong reload).

Options:
 -c,--conf                 (optional string)   Configuration file.

 -p,--prefix               (optional string)   Override prefix directory.

 --nginx-conf              (optional string)   Accepted for compatibility;
                                               ignored, as Silverback does
                                               not run nginx.

 --run-migrations          (optional boolean)  Run migrations before starting
                                               (nothing to run for sqlite
                                               and off).

 --db-timeout              (optional number)   Timeout, in seconds, for all database
                                               operations.

 --lock-timeout            (default 60)        When --run-migrations is enabled, timeout,
                                               in seconds, for nodes waiting on the
                                               leader node to finish running migrations.

 --nginx-conf-flags        (optional string)   Accepted for compatibility; ignored.
`

// startOptions are the flags of start and restart.
type startOptions struct {
	confPath, prefix          string
	nginxConf, nginxConfFlags string
	runMigrations             bool
	dbTimeout, lockTimeout    number
	dbTimeoutSet              bool
}

func (o *startOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&o.confPath, "conf", "c", "", "configuration file")
	fs.StringVarP(&o.prefix, "prefix", "p", "", "override prefix directory")
	fs.StringVar(&o.nginxConf, "nginx-conf", "", "custom Nginx configuration template (ignored)")
	fs.BoolVar(&o.runMigrations, "run-migrations", false, "run migrations before starting")
	fs.Var(&o.dbTimeout, "db-timeout", "timeout, in seconds, for all database operations")
	numberFlag(fs, &o.lockTimeout, "lock-timeout", "", 60, "timeout, in seconds, waiting on the leader node")
	fs.StringVar(&o.nginxConfFlags, "nginx-conf-flags", "", "Nginx template flags (ignored)")
}

// source is where the node reads its configuration, at start and on
// every reload: --db-timeout overrides pg_timeout (milliseconds), as Kong's
// start does.
func (o *startOptions) source() confSource {
	src := newConfSource(o.confPath, o.prefix)
	if o.dbTimeoutSet {
		src.overrides["pg_timeout"] = strconv.FormatInt(int64(math.Round(float64(o.dbTimeout)*1000)), 10)
	}
	return src
}

// startCommand runs a node in the foreground.
func (a *app) startCommand() *cobra.Command {
	var o startOptions
	c := &cobra.Command{
		Use:  "start",
		Long: fmt.Sprintf(startUsage, a.name),
		RunE: func(c *cobra.Command, _ []string) error {
			o.dbTimeoutSet = c.Flags().Changed("db-timeout")
			return a.start(&o)
		},
	}
	o.addFlags(c.Flags())
	return c
}

// start is Kong's start, in the foreground: load the configuration, refuse
// if a node runs in the prefix, prepare the prefix, start the gateway,
// write the pid file, say "Kong started", then serve until a signal stops
// the node. The pid file is removed on the way out.
func (a *app) start(o *startOptions) error {
	// Catch signals from the outset: one arriving while the node starts
	// is handled once it runs instead of killing it half-way.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP)
	defer signal.Stop(sigs)

	src := o.source()
	cfg, err := a.loadConf(src)
	if err != nil {
		return err
	}
	if nodePID(cfg.Prefix) != 0 {
		return fmt.Errorf("Kong is already running in %s", cfg.Prefix)
	}
	a.ignoreNginxConf(o.nginxConf, o.nginxConfFlags)
	if err := a.preparePrefix(cfg); err != nil {
		return err
	}
	out, err := a.openErrorLog(cfg.Logs.ProxyError)
	if err != nil {
		return err
	}
	defer out.Close()
	level := new(slog.LevelVar)
	level.Set(a.nodeLogLevel(cfg.LogLevel))
	log := slog.New(newErrorLogHandler(out, level))

	gw, err := gateway.New(cfg, log)
	if err != nil {
		return err
	}
	if err := gw.Start(); err != nil {
		a.log.Verbose("could not start Kong, stopping services")
		gw.Close()
		a.log.Verbose("stopped services")
		return err
	}
	if err := writePID(cfg.Prefix); err != nil {
		gw.Close()
		return err
	}
	defer removePID(cfg.Prefix)
	a.log.Info("Kong started")
	log.Log(context.Background(), levelNotice, "Kong started", "prefix", cfg.Prefix, "pid", os.Getpid())

	n := &node{
		gw:     gw,
		log:    log,
		level:  level,
		prefix: cfg.Prefix,
		load: func() (*conf.Config, error) {
			return conf.LoadOverrides(src.path, a.environ, src.overrides)
		},
		logLevel: a.nodeLogLevel,
	}
	return n.serve(sigs)
}

// server is the gateway a node drives; *gateway.Gateway is one.
type server interface {
	Start() error
	Reload(cfg *conf.Config) error
	Shutdown(ctx context.Context) error
	Close() error
}

// node is a started gateway and what it needs to answer signals.
type node struct {
	gw       server
	log      *slog.Logger
	level    *slog.LevelVar
	prefix   string
	load     func() (*conf.Config, error) // reads the configuration again
	logLevel func(logLevel string) slog.Level
}

// signalNames are nginx's names for the signals a node answers, in its log.
var signalNames = map[os.Signal]string{
	syscall.SIGHUP:  "SIGHUP",
	syscall.SIGINT:  "SIGINT",
	syscall.SIGQUIT: "SIGQUIT",
	syscall.SIGTERM: "SIGTERM",
}

// logSignal logs sig as nginx does ("signal 15 (SIGTERM) received, exiting").
func (n *node) logSignal(sig os.Signal, action string) {
	num := 0
	if s, ok := sig.(syscall.Signal); ok {
		num = int(s)
	}
	n.log.Log(context.Background(), levelNotice, fmt.Sprintf("signal %d (%s) received, %s", num, signalNames[sig], action))
}

// serve answers signals until one stops the node: SIGHUP reloads, SIGQUIT
// shuts down gracefully, SIGTERM and SIGINT close at once.
func (n *node) serve(sigs <-chan os.Signal) error {
	for sig := range sigs {
		switch sig {
		case syscall.SIGHUP:
			n.logSignal(sig, "reconfiguring")
			n.reload()
		case syscall.SIGQUIT:
			n.logSignal(sig, "shutting down")
			return n.quit(sigs)
		default:
			n.logSignal(sig, "exiting")
			return n.gw.Close()
		}
	}
	return nil
}

// quit shuts the gateway down gracefully: it stops accepting and waits for
// the requests in flight, with no deadline of its own (`kong quit` sends
// SIGTERM after its timeout). SIGTERM or SIGINT meanwhile end the wait and
// close what is left at once; Close runs after Shutdown has returned, never
// beside it.
func (n *node) quit(sigs <-chan os.Signal) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- n.gw.Shutdown(ctx) }()
	for {
		select {
		case err := <-done:
			return err
		case sig, ok := <-sigs:
			if !ok {
				sigs = nil // no more signals: wait for the shutdown
				continue
			}
			if sig != syscall.SIGTERM && sig != syscall.SIGINT {
				continue
			}
			n.logSignal(sig, "exiting")
			cancel()
			<-done
			return n.gw.Close()
		}
	}
}

// reload reads the configuration again (the same file and environment the
// node started with) and applies it, with the declarative configuration it
// names. On any error the node keeps serving the current configuration.
func (n *node) reload() {
	cfg, err := n.load()
	if err == nil && cfg.Prefix != n.prefix {
		err = fmt.Errorf("the prefix cannot change on reload (from %s to %s)", n.prefix, cfg.Prefix)
	}
	if err == nil {
		for _, w := range cfg.Warnings {
			n.log.Warn(w)
		}
		err = n.gw.Reload(cfg)
	}
	if err != nil {
		n.log.Error("could not reload the configuration, keeping the current one", "error", err)
		return
	}
	n.level.Set(n.logLevel(cfg.LogLevel))
	if err := conf.WriteEnv(cfg.Prefix, cfg); err != nil {
		n.log.Error("could not update .kong_env", "error", err)
	}
	n.log.Log(context.Background(), levelNotice, "configuration reloaded")
}
