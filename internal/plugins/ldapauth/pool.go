package ldapauth

import (
	"sync"
	"time"
)

// poolSize is how many idle connections to one server are kept, as
// OpenResty's lua_socket_pool_size.
const poolSize = 30

// connections keeps idle connections to LDAP servers for the next binds,
// as the cosocket pool Kong puts them in with setkeepalive: shared by the
// plugin instances, per server and TLS mode.
var connections = pool{idle: map[poolKey][]*idleConn{}}

// poolKey tells which connections may serve a bind: same server, same
// TLS mode, and verified when verification is wanted.
type poolKey struct {
	addr   string
	mode   tlsMode
	verify bool
}

type pool struct {
	mu   sync.Mutex
	idle map[poolKey][]*idleConn
}

// idleConn is a pooled connection; timer closes it once idle for
// keepalive (nil: no limit).
type idleConn struct {
	c     *conn
	timer *time.Timer
}

// get takes the most recently pooled connection still open, nil when
// there is none.
func (p *pool) get(k poolKey) *conn {
	for {
		p.mu.Lock()
		list := p.idle[k]
		if len(list) == 0 {
			p.mu.Unlock()
			return nil
		}
		ic := list[len(list)-1]
		p.setList(k, list[:len(list)-1])
		p.mu.Unlock()
		// a timer that already fired will not find the connection: close
		// it here
		if (ic.timer != nil && !ic.timer.Stop()) || ic.c.ldap.IsClosing() {
			ic.c.ldap.Close()
			continue
		}
		return ic.c
	}
}

// put pools c for keepalive (0: no limit), or closes it when the pool of
// its server is full.
func (p *pool) put(k poolKey, c *conn, keepalive time.Duration) {
	ic := &idleConn{c: c}
	p.mu.Lock()
	full := len(p.idle[k]) >= poolSize
	if !full {
		if keepalive > 0 {
			ic.timer = time.AfterFunc(keepalive, func() { p.expire(k, ic) })
		}
		p.idle[k] = append(p.idle[k], ic)
	}
	p.mu.Unlock()
	if full {
		c.ldap.Close()
	}
}

// expire closes ic if it is still pooled.
func (p *pool) expire(k poolKey, ic *idleConn) {
	p.mu.Lock()
	list := p.idle[k]
	found := false
	for i, x := range list {
		if x == ic {
			p.setList(k, append(list[:i:i], list[i+1:]...))
			found = true
			break
		}
	}
	p.mu.Unlock()
	if found {
		ic.c.ldap.Close()
	}
}

// setList stores the idle list of k, dropping empty ones; p.mu is held.
func (p *pool) setList(k poolKey, list []*idleConn) {
	if len(list) == 0 {
		delete(p.idle, k)
		return
	}
	p.idle[k] = list
}
