package stream

import "errors"

// helloStatus is what parseClientHello made of the bytes read so far.
type helloStatus uint8

const (
	helloIncomplete helloStatus = iota // a TLS handshake so far: read more
	helloComplete                      // a whole ClientHello was parsed
	helloNotTLS                        // not a TLS ClientHello
)

// TLS record and handshake constants (RFC 8446, RFC 6066).
const (
	recordHeaderLen     = 5
	recordTypeHandshake = 0x16
	maxRecordLen        = 1 << 14
	handshakeHeaderLen  = 4
	typeClientHello     = 1
	extServerName       = 0
	nameTypeHostName    = 0
)

var errShort = errors.New("short")

// parseClientHello reads the ClientHello at the start of a connection's
// bytes, as nginx's ssl_preread does: records of type handshake (possibly
// several, the handshake message being fragmented across them), the
// ClientHello's fields up to its extensions, and the first host_name of
// the server_name extension. sni is "" when the hello has none. Nothing
// is validated beyond what reaching the SNI needs.
func parseClientHello(data []byte) (sni string, status helloStatus) {
	// Reassemble the handshake message from the records' fragments.
	var msg []byte
	need := -1 // the handshake message's length, once its header is known
	for {
		if len(data) < recordHeaderLen {
			return "", helloIncomplete
		}
		if data[0] != recordTypeHandshake || data[1] != 3 {
			return "", helloNotTLS
		}
		n := int(data[3])<<8 | int(data[4])
		if n == 0 || n > maxRecordLen {
			return "", helloNotTLS
		}
		if len(data) < recordHeaderLen+n {
			return "", helloIncomplete
		}
		msg = append(msg, data[recordHeaderLen:recordHeaderLen+n]...)
		data = data[recordHeaderLen+n:]
		if need < 0 && len(msg) >= handshakeHeaderLen {
			if msg[0] != typeClientHello {
				return "", helloNotTLS
			}
			need = handshakeHeaderLen + (int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3]))
		}
		if need >= 0 && len(msg) >= need {
			break
		}
	}
	name, err := helloServerName(msg[handshakeHeaderLen:need])
	if err != nil {
		return "", helloNotTLS
	}
	return name, helloComplete
}

// helloServerName finds the SNI in a ClientHello body.
func helloServerName(body []byte) (string, error) {
	r := reader(body)
	if !r.skip(2+32) || // legacy_version, random
		!r.skipVector(1) || // legacy_session_id
		!r.skipVector(2) || // cipher_suites
		!r.skipVector(1) { // legacy_compression_methods
		return "", errShort
	}
	if len(r) == 0 {
		return "", nil // no extensions
	}
	exts, ok := r.vector(2)
	if !ok {
		return "", errShort
	}
	for len(exts) > 0 {
		typ, ok1 := exts.uint16()
		data, ok2 := exts.vector(2)
		if !ok1 || !ok2 {
			return "", errShort
		}
		if typ != extServerName {
			continue
		}
		list, ok := data.vector(2)
		if !ok {
			return "", errShort
		}
		for len(list) > 0 {
			nameType, ok1 := list.uint8()
			name, ok2 := list.vector(2)
			if !ok1 || !ok2 {
				return "", errShort
			}
			if nameType == nameTypeHostName {
				return string(name), nil
			}
		}
		return "", nil
	}
	return "", nil
}

// reader consumes big-endian fields from a byte slice; every method
// checks the length first and leaves the reader unchanged on failure.
type reader []byte

func (r *reader) skip(n int) bool {
	if len(*r) < n {
		return false
	}
	*r = (*r)[n:]
	return true
}

func (r *reader) uint8() (uint8, bool) {
	if len(*r) < 1 {
		return 0, false
	}
	v := (*r)[0]
	*r = (*r)[1:]
	return v, true
}

func (r *reader) uint16() (uint16, bool) {
	if len(*r) < 2 {
		return 0, false
	}
	v := uint16((*r)[0])<<8 | uint16((*r)[1])
	*r = (*r)[2:]
	return v, true
}

// vector reads a vector whose length prefix is lenBytes (1 or 2) long.
func (r *reader) vector(lenBytes int) (reader, bool) {
	if len(*r) < lenBytes {
		return nil, false
	}
	n := int((*r)[0])
	if lenBytes == 2 {
		n = n<<8 | int((*r)[1])
	}
	if len(*r) < lenBytes+n {
		return nil, false
	}
	v := (*r)[lenBytes : lenBytes+n]
	*r = (*r)[lenBytes+n:]
	return v, true
}

func (r *reader) skipVector(lenBytes int) bool {
	_, ok := r.vector(lenBytes)
	return ok
}
