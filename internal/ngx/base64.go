package ngx

import (
	"encoding/base64"
	"errors"
	"strings"
)

var errBase64 = errors.New("illegal base64 data")

// DecodeBase64 decodes s as ngx.decode_base64 does, which Kong's auth
// plugins use on what clients send: the standard alphabet, padding
// optional, anything from the first "=" on ignored, and no other
// character allowed (Go's decoder would skip line breaks).
func DecodeBase64(s string) ([]byte, error) {
	if i := strings.IndexByte(s, '='); i >= 0 {
		s = s[:i]
	}
	if strings.ContainsAny(s, "\r\n") {
		return nil, errBase64
	}
	return base64.RawStdEncoding.DecodeString(s)
}
