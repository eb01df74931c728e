package requesttransformer

import (
	"errors"
	"strings"

	"github.com/silverback-gw/silverback/internal/plugin"
)

// transformURI sets the upstream path to replace.uri, rendered and
// escaped as kong.service.request.set_path does.
func (h *handler) transformURI(kong *plugin.PDK, env *env) error {
	if h.uri == nil {
		return nil
	}
	path, _, err := h.uri.render(env)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(path, "/") {
		return errors.New("path must start with /")
	}
	kong.ServiceRequest.SetPath(escapePath(path))
	return nil
}

// escapePath percent-encodes what kong.tools.uri.escape does: every byte
// but letters, digits, reserved characters, - _ . ~ and %.
func escapePath(p string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("!#$&'()*+,/:;=?@[]-_.~%", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
