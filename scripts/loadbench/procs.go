package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A proc is a child started in its own process group, with output to a log file.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	once    sync.Once
}

// group remembers every child so that one deferred stopAll cleans up on any exit.
type group struct {
	mu    sync.Mutex
	procs []*proc
}

func (g *group) start(ctx context.Context, name, work string, env []string, argv ...string) (*proc, error) {
	logPath := filepath.Join(work, name+".log")
	out, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	// Own process group (Ctrl-C reaches us, we stop them in order); killed with us.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	g.mu.Lock()
	g.procs = append(g.procs, p)
	g.mu.Unlock()
	return p, nil
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the process group, then SIGKILL after 10 s.
func (p *proc) stop() {
	p.once.Do(func() {
		pgid := p.pid()
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			logf("%s did not stop on SIGTERM; killing it", p.name)
		}
		syscall.Kill(-pgid, syscall.SIGKILL) // stragglers in the group, if any
		<-p.done
	})
}

func (g *group) stopAll() {
	g.mu.Lock()
	procs := g.procs
	g.procs = nil
	g.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].stop()
	}
}

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat: 100 on
// every Linux architecture's user ABI.
const clockTicks = 100

// cpuTime is the user+system CPU time consumed so far by pid and all its live
// descendants (nginx's master and worker; the gateway and anything it forks).
func cpuTime(pid int) (time.Duration, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	type stat struct{ ppid, ticks int }
	stats := map[int]stat{}
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ppid, ticks, err := readStat(n)
		if err != nil {
			continue // gone meanwhile
		}
		stats[n] = stat{ppid, ticks}
	}
	if _, ok := stats[pid]; !ok {
		return 0, fmt.Errorf("process %d is gone", pid)
	}
	total := 0
	for n, s := range stats {
		for p := n; p > 1; p = stats[p].ppid {
			if p == pid {
				total += s.ticks
				break
			}
			if _, ok := stats[p]; !ok {
				break
			}
		}
	}
	return time.Duration(total) * time.Second / clockTicks, nil
}

// readStat returns the parent pid and utime+stime of one process.
func readStat(pid int) (ppid, ticks int, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, err
	}
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, 0, errors.New("bad stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, 0, errors.New("short stat")
	}
	ppid, _ = strconv.Atoi(f[1])
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return ppid, utime + stime, nil
}

// ensureTools installs nginx and wrk from Debian when missing (as root, or with sudo).
func ensureTools(ctx context.Context) error {
	var missing []string
	for _, t := range []struct{ bin, pkg string }{{"nginx", "nginx"}, {"wrk", "wrk"}, {"taskset", "util-linux"}} {
		if lookPath(t.bin) == "" {
			missing = append(missing, t.pkg)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	logf("installing %s from Debian", strings.Join(missing, " "))
	var prefix []string
	if os.Geteuid() != 0 {
		if lookPath("sudo") == "" {
			return fmt.Errorf("%s missing, and neither root nor sudo to install them", strings.Join(missing, ", "))
		}
		prefix = []string{"sudo", "-n"}
	}
	env := "DEBIAN_FRONTEND=noninteractive"
	update := append(append(prefix, "env", env), "apt-get", "update", "-q")
	install := append(append(append(prefix, "env", env), "apt-get", "install", "-y", "-q", "--no-install-recommends"), missing...)
	if err := runQuiet(ctx, "", update...); err != nil {
		return fmt.Errorf("apt-get update: %w", err)
	}
	if err := runQuiet(ctx, "", install...); err != nil {
		return fmt.Errorf("apt-get install: %w", err)
	}
	return nil
}

// lookPath also searches the sbin directories, where Debian puts nginx.
func lookPath(bin string) string {
	if p, err := exec.LookPath(bin); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		if p := filepath.Join(dir, bin); isExecutable(p) {
			return p
		}
	}
	return ""
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// runQuiet runs a command to completion and shows its output only if it fails.
func runQuiet(ctx context.Context, dir string, argv ...string) error {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
	}
	return err
}

// numCPU is the number of the machine's cores, not of those loadbench may run on.
func numCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if k, _, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "processor" {
			n++
		}
	}
	if n == 0 {
		return runtime.NumCPU()
	}
	return n
}

// memStatus is a process's memory from /proc/<pid>/status, in KiB: its resident set
// now (VmRSS) and at its peak (VmHWM).
type memStatus struct{ rss, hwm int64 }

// readMemStatus reads pid's memStatus.
func readMemStatus(pid int) (memStatus, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return memStatus{}, err
	}
	return parseMemStatus(string(b))
}

// parseMemStatus reads the VmRSS and VmHWM lines ("VmRSS:	  59576 kB") of a
// /proc/<pid>/status text.
func parseMemStatus(status string) (memStatus, error) {
	var m memStatus
	var seen int
	for _, line := range strings.Split(status, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return m, fmt.Errorf("bad %s line %q", k, line)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return m, fmt.Errorf("bad %s line %q", k, line)
		}
		if k == "VmRSS" {
			m.rss = n
		} else {
			m.hwm = n
		}
		seen++
	}
	if seen != 2 {
		return m, errors.New("no VmRSS and VmHWM in the status (a kernel thread, or a zombie)")
	}
	return m, nil
}

// mib formats KiB as MiB with one decimal.
func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }
