package dns

import (
	"bufio"
	"io"
	"net/netip"
	"strings"
)

// hostAddrs are a hosts file name's addresses, the first of each family.
type hostAddrs struct {
	v4, v6 netip.Addr
}

// parseHosts reads a hosts file: an address, then names and aliases;
// text after # or ; is a comment, names are lowercased, and the first
// address of each family a name is given is kept.
func parseHosts(r io.Reader) (map[string]hostAddrs, error) {
	hosts := map[string]hostAddrs{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line, _, _ := strings.Cut(strings.ToLower(sc.Text()), "#")
		line, _, _ = strings.Cut(line, ";")
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		ip, err := netip.ParseAddr(strings.Trim(fields[0], "[]"))
		if err != nil {
			continue
		}
		ip = ip.Unmap()
		for _, name := range fields[1:] {
			h := hosts[name]
			switch {
			case ip.Is4() && !h.v4.IsValid():
				h.v4 = ip
			case ip.Is6() && !h.v6.IsValid():
				h.v6 = ip
			}
			hosts[name] = h
		}
	}
	return hosts, sc.Err()
}
