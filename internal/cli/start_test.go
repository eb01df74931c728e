package cli

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/silverback-gw/silverback/internal/conf"
)

// fakeServer records what a node asks of its gateway.
type fakeServer struct {
	mu        sync.Mutex
	calls     []string
	reloaded  []*conf.Config
	reloadErr error
	// shutdownUntil, when set, makes Shutdown wait for it or for its
	// context; shutdownCtxErr is that context's error on return.
	shutdownUntil  chan struct{}
	shutdownCtxErr error
}

func (f *fakeServer) record(call string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
}

func (f *fakeServer) Calls() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.calls, " ")
}

func (f *fakeServer) Start() error { f.record("start"); return nil }

func (f *fakeServer) Reload(cfg *conf.Config) error {
	f.record("reload")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reloaded = append(f.reloaded, cfg)
	return f.reloadErr
}

func (f *fakeServer) Shutdown(ctx context.Context) error {
	f.record("shutdown")
	if f.shutdownUntil != nil {
		select {
		case <-f.shutdownUntil:
		case <-ctx.Done():
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.shutdownCtxErr = ctx.Err()
	return nil
}

func (f *fakeServer) Close() error { f.record("close"); return nil }

// testNodeLoop is a node around a fake server whose configuration load
// returns the loads in turn.
func testNodeLoop(t *testing.T, loads ...func() (*conf.Config, error)) (*node, *fakeServer, *lockedBuffer) {
	t.Helper()
	log := &lockedBuffer{}
	level := new(slog.LevelVar)
	level.Set(levelNotice)
	srv := &fakeServer{}
	a := &app{}
	n := &node{
		gw:     srv,
		log:    slog.New(newErrorLogHandler(log, level)),
		level:  level,
		prefix: "",
		load: func() (*conf.Config, error) {
			load := loads[0]
			loads = loads[1:]
			return load()
		},
		logLevel: a.nodeLogLevel,
	}
	return n, srv, log
}

// lockedBuffer is a buffer safe for concurrent writes and reads. It has
// only Write, so that io.Copy cannot bypass the lock with ReadFrom.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// signals returns a closed channel delivering sigs.
func signals(sigs ...os.Signal) <-chan os.Signal {
	ch := make(chan os.Signal, len(sigs))
	for _, s := range sigs {
		ch <- s
	}
	close(ch)
	return ch
}

func TestServeStopSignals(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		n, srv, log := testNodeLoop(t)
		if err := n.serve(signals(sig)); err != nil {
			t.Fatal(err)
		}
		if srv.Calls() != "close" {
			t.Errorf("%v: calls %q, want close", sig, srv.Calls())
		}
		if !strings.Contains(log.String(), "received, exiting") {
			t.Errorf("%v: log %q", sig, log.String())
		}
	}
}

func TestServeQuitSignal(t *testing.T) {
	t.Parallel()
	n, srv, log := testNodeLoop(t)
	if err := n.serve(signals(syscall.SIGQUIT)); err != nil {
		t.Fatal(err)
	}
	if srv.Calls() != "shutdown" || srv.shutdownCtxErr != nil {
		t.Errorf("calls %q, context %v; want a graceful shutdown to completion", srv.Calls(), srv.shutdownCtxErr)
	}
	if !strings.Contains(log.String(), "signal 3 (SIGQUIT) received, shutting down") {
		t.Errorf("log %q", log.String())
	}
}

func TestServeStopDuringQuit(t *testing.T) {
	t.Parallel()
	n, srv, _ := testNodeLoop(t)
	srv.shutdownUntil = make(chan struct{}) // requests never finish
	sigs := make(chan os.Signal, 3)
	sigs <- syscall.SIGQUIT
	sigs <- syscall.SIGHUP // ignored while quitting
	sigs <- syscall.SIGTERM
	done := make(chan error)
	go func() { done <- n.serve(sigs) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not end the graceful shutdown")
	}
	if srv.Calls() != "shutdown close" || !errors.Is(srv.shutdownCtxErr, context.Canceled) {
		t.Errorf("calls %q, shutdown context %v; want shutdown cancelled and close", srv.Calls(), srv.shutdownCtxErr)
	}
}

func TestServeReload(t *testing.T) {
	t.Parallel()
	prefix := t.TempDir()
	good := func(logLevel string) func() (*conf.Config, error) {
		return func() (*conf.Config, error) {
			return conf.LoadOverrides("", nil, map[string]string{"prefix": prefix, "log_level": logLevel})
		}
	}
	elsewhere := func() (*conf.Config, error) {
		return conf.LoadOverrides("", nil, map[string]string{"prefix": t.TempDir()})
	}
	invalid := func() (*conf.Config, error) {
		return conf.LoadOverrides("", nil, map[string]string{"log_level": "loud"})
	}
	n, srv, log := testNodeLoop(t, good("debug"), invalid, elsewhere, good("error"))
	n.prefix = prefix

	if err := n.serve(signals(syscall.SIGHUP, syscall.SIGHUP, syscall.SIGHUP)); err != nil {
		t.Fatal(err)
	}
	if srv.Calls() != "reload" {
		t.Errorf("calls %q, want one reload: the invalid configuration and the other prefix are refused", srv.Calls())
	}
	if n.level.Level() != slog.LevelDebug {
		t.Errorf("log level %v, want the reloaded log_level", n.level.Level())
	}
	if cfg, err := conf.LoadEnv(prefix); err != nil || cfg.LogLevel != "debug" {
		t.Errorf(".kong_env: %v, %v; want the reloaded configuration", cfg, err)
	}
	got := log.String()
	for _, want := range []string{
		"signal 1 (SIGHUP) received, reconfiguring",
		"configuration reloaded",
		"could not reload the configuration, keeping the current one, error: \"log_level has an invalid value",
		"the prefix cannot change on reload",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}

	// The gateway refusing the configuration leaves everything as it was.
	srv.reloadErr = errors.New("bad declarative file")
	if err := n.serve(signals(syscall.SIGHUP)); err != nil {
		t.Fatal(err)
	}
	if n.level.Level() != slog.LevelDebug {
		t.Errorf("log level %v after a failed reload, want it unchanged", n.level.Level())
	}
	if !strings.Contains(log.String(), "bad declarative file") {
		t.Errorf("log lacks the gateway's error:\n%s", log.String())
	}
}
