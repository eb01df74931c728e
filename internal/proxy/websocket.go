package proxy

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"time"
)

// tunnel completes an upgrade (WebSocket): the 101 response goes to the
// client through header_filter, then bytes are copied both ways until
// either side closes. As in nginx, the upstream side keeps the service's
// read and write timeouts, so an idle tunnel ends after read_timeout.
func (p *Proxy) tunnel(ex *exchange, resp *http.Response, c *upConn) {
	s := &ex.State
	if !ex.w.canHijack() || s.upstream.header.Get("Upgrade") == "" || ex.bodyStarted {
		// An upgrade nobody asked for, or one carrying a request body, or a
		// client connection that cannot be taken over (HTTP/2).
		ex.release(c, false)
		ex.fail(http.StatusBadGateway)
		return
	}
	p.copyResponseHeader(ex, resp)
	s.upstreamStatus = resp.StatusCode
	s.response = Response{status: resp.StatusCode, header: httpHeader(ex.w.Header()), source: SourceService}
	p.headerFilter(s)

	client, brw, err := ex.w.Hijack()
	if err != nil {
		ex.release(c, false)
		clear(ex.w.Header())
		ex.fail(http.StatusBadGateway)
		return
	}
	ex.hijacked = true
	ex.conn = nil
	_ = client.SetDeadline(time.Time{}) // the server's deadlines no longer apply
	defer client.Close()
	defer c.close()
	if err := writeSwitchingProtocols(brw.Writer, s.response.status, ex.w.Header()); err != nil {
		return
	}
	c.readTimeout, c.writeTimeout = millis(s.service.ReadTimeout), millis(s.service.WriteTimeout)

	done := make(chan struct{})
	go func() {
		defer close(done)
		// client → upstream, starting with what the server already buffered
		_, _ = io.Copy(c, brw.Reader)
		c.close()
		client.Close()
	}()
	// upstream → client, starting with what followed the 101 head
	s.sent, _ = io.Copy(client, c.br)
	client.Close()
	c.close()
	<-done
}

// writeSwitchingProtocols writes the 101 response head on the hijacked
// connection.
func writeSwitchingProtocols(w *bufio.Writer, status int, h http.Header) error {
	w.WriteString("HTTP/1.1 ")
	w.WriteString(strconv.Itoa(status))
	w.WriteByte(' ')
	w.WriteString(http.StatusText(status))
	w.WriteString("\r\n")
	if err := h.Write(w); err != nil {
		return err
	}
	w.WriteString("\r\n")
	return w.Flush()
}
