package session

import (
	"bytes"
	"compress/flate"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
)

// The cookie is lua-resty-session 4's: a binary header, base64url-encoded
// (110 characters), followed by the base64url AES-256-GCM ciphertext of
// the session data unless a storage keeps it.
//
//	Type || Flags || SID || Creation Time || Rolling Offset || Data Size || Tag || Idling Offset || MAC
//	1B   || 2B    || 32B || 5B            || 4B             || 3B        || 16B || 3B            || 16B
//
// Integers are little endian. The data is encrypted with a key and nonce
// derived by HKDF-SHA256 from SHA-256(secret) and "encryption:<sid>", the
// first 47 bytes of the header as additional data; the MAC is
// HMAC-SHA256, keyed by HKDF from "authentication:<sid>", over the first
// 66 bytes, truncated to 16.
const (
	sidSize         = 32
	tagSize         = 16
	macSize         = 16
	offTag          = 1 + 2 + sidSize + 5 + 4 + 3 // 47: what the tag authenticates
	offIdling       = offTag + tagSize            // 63
	offMAC          = offIdling + 3               // 66: what the MAC authenticates
	headerSize      = offMAC + macSize            // 82
	headerEncodedSz = (headerSize*4 + 2) / 3      // 110

	cookieType = 1

	maxCreationTime  = 1<<40 - 1
	maxRollingOffset = 1<<32 - 1
	maxIdlingOffset  = 1<<24 - 1
	maxDataSize      = 1<<24 - 1

	// compressionThreshold is the data size above which it is deflated.
	compressionThreshold = 1024
	// rememberIterations are PBKDF2's for persistent cookies
	// (remember_safety "Medium", lua-resty-session's default).
	rememberIterations = 10_000
)

// Header flags.
const (
	flagStorage uint16 = 0x0001
	flagForget  uint16 = 0x0002
	flagDeflate uint16 = 0x0010
)

var b64 = base64.RawURLEncoding

// header is a decoded cookie header.
type header struct {
	flags         uint16
	sid           []byte
	creation      int64
	rollingOffset int64
	dataSize      int
	tag           []byte
	idlingOffset  int64
	mac           []byte
}

// parseHeader decodes the header's fields from its 82 bytes.
func parseHeader(b []byte) header {
	return header{
		flags:         uint16(le(b[1:3])),
		sid:           b[3 : 3+sidSize],
		creation:      le(b[35:40]),
		rollingOffset: le(b[40:44]),
		dataSize:      int(le(b[44:47])),
		tag:           b[offTag:offIdling],
		idlingOffset:  le(b[offIdling:offMAC]),
		mac:           b[offMAC:headerSize],
	}
}

// tagPart returns the first 47 header bytes: type, flags, sid, creation
// time, rolling offset and data size.
func tagPart(flags uint16, sid []byte, creation, rollingOffset int64, dataSize int) []byte {
	b := make([]byte, 0, headerSize)
	b = append(b, cookieType)
	b = putLE(b, uint64(flags), 2)
	b = append(b, sid...)
	b = putLE(b, uint64(creation), 5)
	b = putLE(b, uint64(rollingOffset), 4)
	return putLE(b, uint64(dataSize), 3)
}

// le reads a little-endian unsigned integer.
func le(b []byte) int64 {
	var v int64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | int64(b[i])
	}
	return v
}

// putLE appends v as n little-endian bytes.
func putLE(b []byte, v uint64, n int) []byte {
	for range n {
		b = append(b, byte(v))
		v >>= 8
	}
	return b
}

// keys derives the per-session keys from a secret.
type keys struct {
	ikm []byte // SHA-256 of the secret (lua-resty-session's ikm)
	prk []byte // HKDF-Extract of ikm with an empty salt
}

func newKeys(secret []byte) keys {
	ikm := sha256.Sum256(secret)
	prk, err := hkdf.Extract(sha256.New, ikm[:], nil)
	if err != nil {
		panic(err) // HKDF-Extract with SHA-256 cannot fail
	}
	return keys{ikm: ikm[:], prk: prk}
}

// cipherFor returns the AES-256-GCM key and nonce of a session: HKDF-Expand
// of "encryption:<sid>", or PBKDF2 for persistent (remember) cookies.
func (k keys) cipherFor(sid []byte, remember bool) (key, nonce []byte, err error) {
	info := "encryption:" + string(sid)
	var out []byte
	if remember {
		out, err = pbkdf2.Key(sha256.New, string(k.ikm), []byte(info), rememberIterations, 44)
	} else {
		out, err = hkdf.Expand(sha256.New, k.prk, info, 44)
	}
	if err != nil {
		return nil, nil, err
	}
	return out[:32], out[32:], nil
}

// mac returns the header's authentication code for the first 66 bytes.
func (k keys) mac(sid, msg []byte) []byte {
	key, err := hkdf.Expand(sha256.New, k.prk, "authentication:"+string(sid), 32)
	if err != nil {
		panic(err) // 32 bytes of HKDF-SHA256 cannot fail
	}
	m := hmac.New(sha256.New, key)
	m.Write(msg[:offMAC])
	return m.Sum(nil)[:macSize]
}

// seal encrypts plaintext with aad, returning the ciphertext and its tag.
func (k keys) seal(sid []byte, remember bool, plaintext, aad []byte) (ciphertext, tag []byte, err error) {
	aead, nonce, err := k.aead(sid, remember)
	if err != nil {
		return nil, nil, err
	}
	out := aead.Seal(nil, nonce, plaintext, aad)
	n := len(out) - tagSize
	return out[:n], out[n:], nil
}

// open decrypts ciphertext authenticated by tag and aad.
func (k keys) open(sid []byte, remember bool, ciphertext, tag, aad []byte) ([]byte, error) {
	aead, nonce, err := k.aead(sid, remember)
	if err != nil {
		return nil, err
	}
	sealed := make([]byte, 0, len(ciphertext)+len(tag))
	sealed = append(append(sealed, ciphertext...), tag...)
	return aead.Open(nil, nonce, sealed, aad)
}

func (k keys) aead(sid []byte, remember bool) (cipher.AEAD, []byte, error) {
	key, nonce, err := k.cipherFor(sid, remember)
	if err != nil {
		return nil, nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, nil, err
	}
	aead, err := cipher.NewGCM(block)
	return aead, nonce, err
}

// newSID returns 32 random bytes.
func newSID() []byte {
	sid := make([]byte, sidSize)
	_, _ = rand.Read(sid) // crypto/rand never fails on supported platforms
	return sid
}

// base64Size is the length of n bytes in unpadded base64.
func base64Size(n int) int { return (4*n + 2) / 3 }

// deflate compresses raw (no zlib header), as lua-resty-session does.
func deflate(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.DefaultCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// maxInflated bounds inflated session data (lua-resty-session's maximum
// cookie data), so that a forged cookie cannot inflate without end; the
// data is authenticated before, so only a holder of the secret could try.
const maxInflated = 16 << 20

var errTooLarge = errors.New("inflated data too large")

func inflate(data []byte) ([]byte, error) {
	r := flate.NewReader(bytes.NewReader(data))
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, maxInflated+1))
	if err != nil {
		return nil, err
	}
	if len(out) > maxInflated {
		return nil, errTooLarge
	}
	return out, nil
}
