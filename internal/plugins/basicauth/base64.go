package basicauth

import (
	"encoding/base64"
	"errors"
	"strings"
)

var errBase64 = errors.New("illegal base64 data")

// DecodeBase64 decodes s as nginx's ngx.decode_base64 does, which Kong's
// auth plugins use on what clients send: the standard alphabet, padding
// optional, anything from the first "=" on ignored. hmac-auth decodes its
// signatures with it too.
func DecodeBase64(s string) ([]byte, error) {
	if i := strings.IndexByte(s, '='); i >= 0 {
		s = s[:i]
	}
	if strings.ContainsAny(s, "\r\n") { // Go's decoder skips them, nginx refuses them
		return nil, errBase64
	}
	return base64.RawStdEncoding.DecodeString(s)
}
