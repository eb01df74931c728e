package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// pidFile is where a node writes its pid: Kong's conf.nginx_pid, so that
// tools reading nginx's pid file find Silverback's.
func pidFile(prefix string) string { return filepath.Join(prefix, "pids", "nginx.pid") }

// nodePID returns the pid of the node running in prefix, 0 when none is:
// Kong's kill.is_running, a pid file naming a live process.
func nodePID(prefix string) int {
	b, err := os.ReadFile(pidFile(prefix))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return 0
	}
	return pid
}

// signalNode sends sig to the node running in prefix (Kong's
// nginx_signals.lua send_signal, with its messages).
func signalNode(prefix string, sig syscall.Signal) error {
	pid := nodePID(prefix)
	if pid == 0 {
		return fmt.Errorf("nginx not running in prefix: %s", prefix)
	}
	if err := syscall.Kill(pid, sig); err != nil {
		return errors.New("could not send signal")
	}
	return nil
}

// pollInterval is how often the commands look whether a node still runs
// (Kong's quit sleeps 0.2 s, restart 0.1 s).
const pollInterval = 100 * time.Millisecond

// waitStopped waits until no node runs in prefix, at most timeout, and
// reports whether it stopped.
func waitStopped(prefix string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for nodePID(prefix) != 0 {
		if !time.Now().Before(deadline) {
			return false
		}
		time.Sleep(pollInterval)
	}
	return true
}

// stopTimeout bounds how long stop and quit wait for the node to exit after
// SIGTERM, which closes every connection at once.
const stopTimeout = 10 * time.Second

// awaitStop waits for the node in prefix to exit after SIGTERM. Unlike
// Kong, stop and quit return once the node is gone, so that `stop && start`
// works.
func awaitStop(prefix string) error {
	if !waitStopped(prefix, stopTimeout) {
		return fmt.Errorf("Kong did not stop within %s in prefix: %s", stopTimeout, prefix)
	}
	return nil
}
