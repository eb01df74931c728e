// Package deck lets tests drive Silverback's Admin API with Kong's real
// declarative CLI, decK, pinned to v1.64.0 (the version
// docs/notes/deck-compatibility.md was written against).
//
// decK is not vendored and not `go install`ed: scripts/build-deck.sh builds it
// from the Go module proxy into <repo>/.cache/bin/deck (git-ignored). Binary
// runs that script at most once per test process when the binary is missing
// or has the wrong version; parallel test processes serialise on a lock file
// in .cache, so only one of them builds. With empty Go caches the build takes
// 6-11 minutes on a 2-core machine, close to `go test`'s default 10m timeout,
// so CI (and anyone starting from a clean checkout) should run
// scripts/build-deck.sh before `go test`, or pass -timeout 30m; a build still
// running 45s before the test deadline is stopped with a message saying so.
// A failed build is a test failure, never a skip.
//
// Typical use:
//
//	out, errOut, err := deck.Run(t, adminURL, "gateway", "sync", "kong.yaml")
//	if err != nil {
//		t.Fatalf("deck sync: %v\n%s", err, errOut)
//	}
package deck

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Version is the decK release scripts/build-deck.sh builds.
const Version = "v1.64.0"

// DefaultTimeout bounds one Run when the test has no earlier deadline.
const DefaultTimeout = 2 * time.Minute

const (
	buildScript = "scripts/build-deck.sh"
	binRel      = ".cache/bin/deck"
	lockRel     = ".cache/deck-build.lock"
	logRel      = ".cache/deck-build.log"

	// lockHeartbeat is how often the lock holder refreshes the lock file's
	// mtime; a lock not refreshed for lockStaleAfter is from a dead process.
	lockHeartbeat  = 10 * time.Second
	lockStaleAfter = 2 * time.Minute

	// A build still running buildStopMargin before the test's deadline is
	// interrupted; the script gets scriptStopDelay to clean up.
	buildStopMargin = 45 * time.Second
	scriptStopDelay = 15 * time.Second
)

var (
	once     sync.Once
	binPath  string
	buildErr error
)

// Binary returns the absolute path of the decK v1.64.0 binary, building it with
// scripts/build-deck.sh (once per test process) if it is missing. It calls
// t.Fatal if decK cannot be built.
func Binary(t testing.TB) string {
	t.Helper()
	once.Do(func() { binPath, buildErr = ensure(t) })
	if buildErr != nil {
		t.Fatalf("deck: decK %s is not available: %v", Version, buildErr)
	}
	return binPath
}

// Run runs decK with args against the Admin API at adminURL (passed as
// --kong-addr; an empty adminURL omits the flag, e.g. for "version" or "file"
// subcommands). decK runs with DECK_ANALYTICS=off, no other DECK_* variable
// from the caller's environment, HOME set to a fresh t.TempDir() (so no
// ~/.deck.yaml is read), stdin empty, and a timeout of DefaultTimeout or the
// test's deadline, whichever is sooner.
//
// err is nil only when decK exits 0; a non-zero exit is returned as an
// *exec.ExitError (use errors.As to read the code, e.g. 2 from
// `gateway diff --non-zero-exit-code`), not reported to t.
func Run(t testing.TB, adminURL string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	bin := Binary(t)

	ctx, cancel := context.WithTimeout(context.Background(), runTimeout(t))
	defer cancel()

	full := make([]string, 0, len(args)+1)
	if adminURL != "" {
		// Before the subcommand, as one token: cobra resolves persistent
		// flags there, and it stays a flag even if args contain "--".
		full = append(full, "--kong-addr="+adminURL)
	}
	full = append(full, args...)

	cmd := exec.CommandContext(ctx, bin, full...)
	cmd.Env = deckEnv(t.TempDir())
	cmd.Stdin = nil
	var outBuf, errBuf bytes.Buffer
	cmd.Stdout = &outBuf
	cmd.Stderr = &errBuf
	cmd.WaitDelay = 5 * time.Second

	err = cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("deck %s: killed after timeout: %w (stdout so far: %q)",
			strings.Join(full, " "), ctx.Err(), outBuf.String())
	}
	if err != nil {
		t.Logf("deck %s: %v\nstderr:\n%s", strings.Join(full, " "), err, errBuf.String())
	}
	return outBuf.String(), errBuf.String(), err
}

// deckEnv is the caller's environment without DECK_* and KONG_ADMIN_URL
// (which decK or go-kong would pick up), plus DECK_ANALYTICS=off and HOME.
func deckEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "DECK_") || name == "KONG_ADMIN_URL" || name == "HOME" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "DECK_ANALYTICS=off", "HOME="+home)
}

// runTimeout is DefaultTimeout, shortened to end before the test's deadline.
func runTimeout(t testing.TB) time.Duration {
	d := DefaultTimeout
	if dl, ok := deadline(t); ok {
		if left := time.Until(dl) - 5*time.Second; left < d {
			d = max(left, time.Second)
		}
	}
	return d
}

func deadline(t testing.TB) (time.Time, bool) {
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		return d.Deadline()
	}
	return time.Time{}, false
}

// ensure returns the binary's path, building it if needed.
func ensure(t testing.TB) (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(root, binRel)
	if versionOK(bin) {
		return bin, nil
	}

	ctx := context.Background()
	if dl, ok := deadline(t); ok {
		// Stop the build (the Go build cache keeps what was compiled) in
		// time to report why, rather than dying in the test timeout panic
		// and leaving the build running.
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-buildStopMargin))
		defer cancel()
	}

	if err := os.MkdirAll(filepath.Join(root, ".cache"), 0o755); err != nil {
		return "", err
	}
	release, err := acquireLock(ctx, t, filepath.Join(root, lockRel))
	if err != nil {
		return "", fmt.Errorf("waiting for the decK build lock %s: %w%s", lockRel, err, timeoutHint(ctx))
	}
	defer release()

	// Another process may have built it while we waited for the lock.
	if versionOK(bin) {
		return bin, nil
	}

	logPath := filepath.Join(root, logRel)
	fmt.Fprintf(os.Stderr, "deck: building decK %s with %s (6-11 min from cold Go caches); log: %s\n",
		Version, buildScript, logPath)
	t.Logf("deck: building decK %s with %s; log: %s", Version, buildScript, logPath)

	logFile, err := os.Create(logPath)
	if err != nil {
		return "", err
	}
	defer logFile.Close()

	start := time.Now()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, buildScript))
	cmd.Dir = root
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// On timeout ask the script to stop (it stops `go build` and cleans
	// up), and kill it if it has not exited scriptStopDelay later.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = scriptStopDelay
	runErr := cmd.Run()
	if runErr != nil {
		return "", fmt.Errorf("%s failed after %s: %v%s\nlast lines of %s:\n%s",
			buildScript, time.Since(start).Round(time.Second), runErr, timeoutHint(ctx), logPath, tail(logPath, 40))
	}
	if !versionOK(bin) {
		return "", fmt.Errorf("%s succeeded but %s does not report decK %s\nlast lines of %s:\n%s",
			buildScript, bin, Version, logPath, tail(logPath, 40))
	}
	t.Logf("deck: built decK %s in %s", Version, time.Since(start).Round(time.Second))
	return bin, nil
}

func timeoutHint(ctx context.Context) string {
	if ctx.Err() == nil {
		return ""
	}
	return fmt.Sprintf(" (test deadline reached; run %s before `go test`, or use -timeout 30m)", buildScript)
}

// versionOK reports whether bin exists and prints "decK v1.64.0 (...)".
func versionOK(bin string) bool {
	if _, err := os.Stat(bin); err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "version")
	cmd.Env = deckEnv(os.TempDir())
	out, err := cmd.Output()
	return err == nil && strings.HasPrefix(string(out), "decK "+Version+" ")
}

// repoRoot walks up from the working directory (a package directory under
// `go test`) to the directory holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, buildScript)); err != nil {
				return "", fmt.Errorf("found go.mod in %s but no %s there", dir, buildScript)
			}
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod found above the working directory")
		}
		dir = parent
	}
}

// acquireLock takes an exclusive lock file, portable across platforms: the
// file is created with O_EXCL and its mtime refreshed every lockHeartbeat
// while held, so a lock left by a killed process goes stale and is taken
// over. The lock only avoids duplicate work: build-deck.sh installs the
// binary atomically, so two concurrent builds are wasteful but harmless.
func acquireLock(ctx context.Context, t testing.TB, path string) (release func(), err error) {
	logged := false
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "pid %d\n", os.Getpid())
			f.Close()
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				tick := time.NewTicker(lockHeartbeat)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case now := <-tick.C:
						_ = os.Chtimes(path, now, now)
					}
				}
			}()
			return func() {
				close(stop)
				<-done
				_ = os.Remove(path)
			}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		if fi, err := os.Stat(path); err == nil && time.Since(fi.ModTime()) > lockStaleAfter {
			t.Logf("deck: removing stale build lock %s (last refreshed %s ago)", path, time.Since(fi.ModTime()).Round(time.Second))
			_ = os.Remove(path)
			continue
		}
		if !logged {
			t.Logf("deck: another process is building decK (lock %s); waiting", path)
			logged = true
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// tail returns the last n lines of the file at path.
func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}
