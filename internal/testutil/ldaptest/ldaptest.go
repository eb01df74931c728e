// Package ldaptest starts a private OpenLDAP server (Debian's slapd
// package) for tests: a slapd.conf in a temporary directory, an mdb
// database under dc=example,dc=org loaded with slapadd, users under
// ou=people with {SSHA} passwords, listening on free 127.0.0.1 ports for
// ldap:// (StartTLS offered) and ldaps:// with a self-signed certificate.
// slapd runs in the foreground with stats logging into a file, which lets
// tests count binds and connections. It is killed when the test ends.
//
// A missing slapd fails the test: scripts/test-services.sh (run by make
// test) installs the slapd and ldap-utils packages.
package ldaptest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Fixed names of the directory tree.
const (
	// BaseDN is the database's suffix.
	BaseDN = "dc=example,dc=org"
	// PeopleDN holds the users, as uid=<name>,ou=people,dc=example,dc=org.
	PeopleDN = "ou=people," + BaseDN
	// Host is the address slapd listens on.
	Host = "127.0.0.1"
)

// Debian's locations of the programs, schemas and modules.
const (
	slapdPath   = "/usr/sbin/slapd"
	slapaddPath = "/usr/sbin/slapadd"
	schemaDir   = "/etc/ldap/schema"
	moduleDir   = "/usr/lib/ldap"
)

// startTimeout bounds how long slapd may take to accept connections.
const startTimeout = 15 * time.Second

// Server is a running slapd.
type Server struct {
	// Port serves ldap:// (StartTLS available), TLSPort ldaps://.
	Port, TLSPort int

	t       testing.TB
	dir     string
	logPath string
	cmd     *exec.Cmd
	exited  chan struct{}
}

// Start runs a slapd holding users (uid → password) and stops it when the
// test ends. It fails the test when slapd is not installed or does not
// start.
func Start(t testing.TB, users map[string]string) *Server {
	t.Helper()
	for _, p := range []string{slapdPath, slapaddPath} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("ldaptest: %s is missing: install Debian's slapd and ldap-utils packages "+
				"(scripts/test-services.sh does: apt-get install slapd ldap-utils): %v", p, err)
		}
	}
	s := &Server{t: t, dir: t.TempDir()}
	s.logPath = filepath.Join(s.dir, "slapd.log")
	if err := s.configure(users); err != nil {
		t.Fatalf("ldaptest: %v", err)
	}
	t.Cleanup(s.Stop)
	// a free port can be taken between choosing it and slapd binding it:
	// choose again a few times
	var err error
	for range 3 {
		if s.Port, err = freePort(); err != nil {
			break
		}
		if s.TLSPort, err = freePort(); err != nil {
			break
		}
		if err = s.start(); err == nil {
			return s
		}
	}
	t.Fatalf("ldaptest: %v", err)
	return nil
}

// URL returns the ldap:// URL, for ldap-utils.
func (s *Server) URL() string { return "ldap://" + net.JoinHostPort(Host, strconv.Itoa(s.Port)) }

// UserDN returns the DN of the user uid.
func (s *Server) UserDN(uid string) string { return "uid=" + uid + "," + PeopleDN }

// Stop kills slapd and waits for it to exit; it does nothing when slapd
// is not running.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
}

// Restart starts slapd again, on the same ports with the same data, after
// Stop.
func (s *Server) Restart() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatalf("ldaptest: restart: %v", err)
	}
}

// Binds returns how many simple binds slapd received as dn.
func (s *Server) Binds(dn string) int {
	return s.countLog(` BIND dn="` + dn + `" method=128`)
}

// Connections returns how many connections slapd accepted, Start's and
// Restart's probes included: compare two counts.
func (s *Server) Connections() int { return s.countLog(" ACCEPT from ") }

// Log returns what slapd logged.
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.logPath)
	return string(b)
}

// countLog counts log lines containing substr. slapd writes a line
// before it answers the operation, so what a client saw answered is
// counted.
func (s *Server) countLog(substr string) int {
	n := 0
	for line := range strings.Lines(s.Log()) {
		if strings.Contains(line, substr) {
			n++
		}
	}
	return n
}

// start runs slapd on s's ports and waits until both accept connections.
func (s *Server) start() error {
	logFile, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()
	urls := fmt.Sprintf("ldap://%s/ ldaps://%s/",
		net.JoinHostPort(Host, strconv.Itoa(s.Port)), net.JoinHostPort(Host, strconv.Itoa(s.TLSPort)))
	// -d keeps slapd in the foreground, logging to stderr; 256 is stats
	cmd := exec.Command(slapdPath, "-f", s.confPath(), "-h", urls, "-d", "256")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// slapd dies with the test binary rather than outlive it
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start slapd: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	s.cmd, s.exited = cmd, exited
	// the probes' connections are logged once slapd gets to them: wait
	// for that, so that Connections counts only what the test does
	conns, probes := s.Connections(), 0
	var ready [2]bool
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			s.cmd = nil
			return fmt.Errorf("slapd exited at start:\n%s", s.Log())
		case <-time.After(20 * time.Millisecond):
		}
		for i, port := range []int{s.Port, s.TLSPort} {
			if !ready[i] && accepts(port) {
				ready[i] = true
				probes++
			}
		}
		if probes == len(ready) && s.Connections() >= conns+probes {
			return nil
		}
	}
	s.Stop()
	return fmt.Errorf("slapd does not accept connections on ports %d and %d after %v:\n%s",
		s.Port, s.TLSPort, startTimeout, s.Log())
}

func accepts(port int) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort(Host, strconv.Itoa(port)), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(Host, "0"))
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// TLSSessions returns how many TLS sessions (LDAPS or StartTLS) slapd
// established.
func (s *Server) TLSSessions() int { return s.countLog(" TLS established ") }
