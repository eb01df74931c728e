package dns

import (
	"context"
	"errors"
	"net"
	"syscall"

	mdns "github.com/miekg/dns"
)

// exchange asks the name servers for the records of name and type, one
// server per attempt, each given the timeout; an answer with the
// truncated flag is asked again over TCP. The error is the last
// attempt's.
func (c *Client) exchange(ctx context.Context, name string, qtype uint16) (*mdns.Msg, error) {
	if len(c.servers) == 0 {
		return nil, errNoServers
	}
	q := new(mdns.Msg)
	q.SetQuestion(mdns.Fqdn(name), qtype)
	start := 0
	if c.rotate {
		start = int(c.next.Add(1))
	}
	udp := &mdns.Client{Net: "udp", Timeout: c.timeout}
	var err error
	for i := range c.attempts {
		server := c.servers[(start+i)%len(c.servers)]
		var r *mdns.Msg
		r, _, err = udp.ExchangeContext(ctx, q, server)
		if err == nil && r.Truncated {
			tcp := &mdns.Client{Net: "tcp", Timeout: c.timeout}
			r, _, err = tcp.ExchangeContext(ctx, q, server)
		}
		if err == nil {
			return r, nil
		}
		err = &Error{msg: "failed to receive reply from UDP server " + server + ": " + reason(err)}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, err
}

// reason is OpenResty's short form of a query's failure.
func reason(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	}
	return err.Error()
}
