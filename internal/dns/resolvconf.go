package dns

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// resolvConf is what Kong reads from resolv.conf.
type resolvConf struct {
	servers  []string // as written
	search   []string // search domains, or the domain
	ndots    int
	timeout  int // seconds; 0 when unset
	attempts int // 0 when unset
	rotate   bool
}

// resolv.conf limits, as Kong's parser applies them.
const (
	maxNameservers = 3
	maxSearch      = 6
)

// parseResolvConf reads resolv.conf: nameserver (the first three),
// domain and search (the last one wins; "." is no domain), and the ndots, timeout,
// attempts and rotate options. Text after # or ; is a comment.
func parseResolvConf(r io.Reader) (resolvConf, error) {
	rc := resolvConf{ndots: 1}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line, _, _ = strings.Cut(line, ";")
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		switch fields[0] {
		case "nameserver":
			if len(rc.servers) < maxNameservers {
				rc.servers = append(rc.servers, strings.ToLower(fields[1]))
			}
		case "domain":
			rc.search = []string{strings.ToLower(fields[1])}
		case "search":
			rc.search = nil
			for _, d := range fields[1:] {
				if d != "." && len(rc.search) < maxSearch {
					rc.search = append(rc.search, strings.ToLower(d))
				}
			}
		case "options":
			for _, opt := range fields[1:] {
				rc.option(opt)
			}
		}
	}
	return rc, sc.Err()
}

// option applies one "options" entry.
func (rc *resolvConf) option(opt string) {
	if opt == "rotate" {
		rc.rotate = true
		return
	}
	name, value, ok := strings.Cut(opt, ":")
	n, err := strconv.Atoi(value)
	if !ok || err != nil {
		return
	}
	switch name {
	case "ndots":
		rc.ndots = n
	case "timeout":
		rc.timeout = n
	case "attempts":
		rc.attempts = n
	}
}
