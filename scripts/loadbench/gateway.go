package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// gatewayStartLimit bounds a gateway's start-up in the table's scenarios.
const gatewayStartLimit = 60 * time.Second

// gatewayConfig is how one gateway is started: one proxy listener (plus the TLS one
// for https), the Admin API on gatewayAdmin (pairedHTTP and pairedAdmin for the paired
// gateway), no access logs (nginx has none either), pinned to one P.
type gatewayConfig struct {
	name    string // of its log file: <dir>/<name>.log
	dir     string // its work directory; the prefix is <dir>/kong
	kongYML string // DB-less configuration; "" for the embedded SQLite store in the prefix
	https   bool   // also a TLS proxy listener
	debug   bool   // log_level debug: the snapshot rebuilds' durations are logged
	profile bool   // debug_listen on gatewayDebug: pprof profiles can be fetched
	paired  bool   // the paired plain gateway, on its own ports
}

// addrs returns the gateway's proxy (HTTP) and Admin API addresses.
func (c gatewayConfig) addrs() (proxy, admin string) {
	if c.paired {
		return pairedHTTP, pairedAdmin
	}
	return gatewayHTTP, gatewayAdmin
}

func (c gatewayConfig) prefix() string { return filepath.Join(c.dir, "kong") }

// errorLog is the gateway's error.log, where it writes its own log lines.
func (c gatewayConfig) errorLog() string { return filepath.Join(c.prefix(), "logs", "error.log") }

// env is the gateway's configuration as KONG_* variables; the TLS certificate is in work.
func (c gatewayConfig) env(work string) []string {
	listen, admin := c.addrs()
	if c.https {
		listen += ", " + gatewayHTTPS + " ssl"
	}
	env := []string{
		"GOMAXPROCS=1",
		"KONG_PREFIX=" + c.prefix(),
		"KONG_PROXY_LISTEN=" + listen,
		"KONG_ADMIN_LISTEN=" + admin,
		"KONG_STATUS_LISTEN=off",
		"KONG_PROXY_ACCESS_LOG=off",
		"KONG_ADMIN_ACCESS_LOG=off",
		"KONG_NGINX_WORKER_PROCESSES=1",
		"KONG_SSL_CERT=" + filepath.Join(work, "cert.pem"),
		"KONG_SSL_CERT_KEY=" + filepath.Join(work, "key.pem"),
		"KONG_SSL_PROTOCOLS=TLSv1.3",
	}
	if c.kongYML != "" {
		env = append(env, "KONG_DATABASE=off", "KONG_DECLARATIVE_CONFIG="+c.kongYML)
	} else {
		env = append(env, "KONG_DATABASE=sqlite")
	}
	if c.debug {
		env = append(env, "KONG_LOG_LEVEL=debug")
	}
	if c.profile {
		env = append(env, "KONG_DEBUG_LISTEN="+gatewayDebug)
	}
	return env
}

// launchGateway starts `silverback start` on core cpu without waiting for it.
func (b *bench) launchGateway(ctx context.Context, c gatewayConfig, cpu string) (*proc, error) {
	return b.procs.start(ctx, c.name, c.dir, c.env(b.work), "taskset", "-c", cpu, b.gwBin, "start", "-p", c.prefix())
}

// waitGateway waits up to limit for the gateway's Admin API, then its proxy listener.
func waitGateway(ctx context.Context, p *proc, c gatewayConfig, limit time.Duration) error {
	addr, admin := c.addrs()
	if err := waitAdmin(ctx, p, admin, limit); err != nil {
		return err
	}
	if c.https {
		addr = gatewayHTTPS
	}
	if err := waitTCP(ctx, addr, 10*time.Second); err != nil {
		return fmt.Errorf("gateway: %w (log: %s)", err, p.logPath)
	}
	return nil
}

// startGateway starts the gateway on the proxy core and waits until it serves.
func (b *bench) startGateway(ctx context.Context, c gatewayConfig) (*proc, error) {
	p, err := b.launchGateway(ctx, c, b.o.proxyCPU)
	if err != nil {
		return nil, err
	}
	if err := waitGateway(ctx, p, c, gatewayStartLimit); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// errImportNotDone is importSQLite's error when the import outlasts its limit.
var errImportNotDone = errors.New("config db_import not finished")

// importSQLite runs `silverback config db_import file` into c's prefix, on the proxy
// core as the gateway would load it, and returns how long it took; it is stopped after
// limit.
func (b *bench) importSQLite(ctx context.Context, c gatewayConfig, file string, limit time.Duration) (time.Duration, error) {
	start := time.Now()
	p, err := b.procs.start(ctx, c.name+"-import", c.dir, c.env(b.work),
		"taskset", "-c", b.o.proxyCPU, b.gwBin, "config", "db_import", file, "-p", c.prefix())
	if err != nil {
		return 0, err
	}
	defer p.stop()
	select {
	case <-p.done:
	case <-time.After(limit):
		return 0, fmt.Errorf("%w after %s (log: %s)", errImportNotDone, limit, p.logPath)
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	took := time.Since(start)
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		return 0, fmt.Errorf("config db_import exited with status %d (log: %s)", code, p.logPath)
	}
	return took, nil
}

func waitAdmin(ctx context.Context, p *proc, admin string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if status, _, err := get("http://"+admin+"/", ""); err == nil && status == http.StatusOK {
			return nil
		}
		if p.exited() {
			return fmt.Errorf("gateway exited while starting (log: %s)", p.logPath)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gateway Admin API not answering after %s (log: %s)", limit, p.logPath)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// enabledPlugins starts the gateway once with the plain scenario and asks its Admin
// API which plugins it has (GET /plugins/enabled): a scenario needing one it lacks is
// reported as skipped rather than measured without it.
func (b *bench) enabledPlugins(ctx context.Context) (map[string]bool, error) {
	dir := filepath.Join(b.work, "probe")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, err
	}
	kongYML, err := scenarios[0].kongYML(dir)
	if err != nil {
		return nil, err
	}
	p, err := b.startGateway(ctx, gatewayConfig{name: "gateway-probe", dir: dir, kongYML: kongYML})
	if err != nil {
		return nil, err
	}
	defer p.stop()
	status, body, err := get("http://"+gatewayAdmin+"/plugins/enabled", "")
	if err != nil || status != http.StatusOK {
		return nil, fmt.Errorf("GET /plugins/enabled: %d %v", status, err)
	}
	var doc struct {
		Enabled []string `json:"enabled_plugins"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("GET /plugins/enabled: %w", err)
	}
	enabled := map[string]bool{}
	for _, name := range doc.Enabled {
		enabled[name] = true
	}
	return enabled, nil
}

// missingPlugins lists the plugins of need that enabled lacks.
func missingPlugins(need []string, enabled map[string]bool) []string {
	var missing []string
	for _, name := range need {
		if !enabled[name] {
			missing = append(missing, name)
		}
	}
	return missing
}

// skippedNote is the table's note for a measurement left out for want of plugins.
func skippedNote(missing []string) string {
	return "skipped: plugin not available (" + strings.Join(missing, ", ") + ")"
}
